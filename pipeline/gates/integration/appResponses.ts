/**
 * How the GourmetGram app answers, and what counts as a good answer. The app (Flask,
 * teaching-on-testbeds/gourmetgram, branch `workflow`) serves:
 *   GET  /version -> JSON {"model_version": "<v>"} (404 JSON {"error": ...} without versions.txt)
 *   GET  /test    -> the predicted class of its bundled test image as bare text
 *   POST /predict -> multipart form field `file`; answers an HTML fragment
 *                    `<button ...>Class</button>`, or a "Warning" badge when nothing was predicted
 * Pure functions: each returns the class/version, or a reason that says what was wrong.
 */
import { food11Classes } from "../../../vocabulary/names";

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const htmlPage = /<\s*(!doctype|html|head|body|title)\b/i;

export function looksLikeHtmlPage(body: string): boolean {
    return htmlPage.test(body);
}

function short(text: string, max = 120): string {
    const t = text.replace(/\s+/g, " ").trim();
    return t.length > max ? `${t.slice(0, max)}...` : t;
}

function unescapeHtml(text: string): string {
    return text
        .replace(/&amp;/g, "&")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&#0*39;/g, "'")
        .replace(/&#x2F;/gi, "/");
}

export function isFood11Class(value: string): boolean {
    return (food11Classes as readonly string[]).includes(value);
}

export function parseVersion(status: number, body: string): Parsed<string> {
    if (looksLikeHtmlPage(body)) return { ok: false, reason: `/version returned an HTML page (HTTP ${status}) instead of JSON` };
    if (status !== 200) return { ok: false, reason: `/version answered HTTP ${status}: ${short(body)}` };
    let json: unknown;
    try {
        json = JSON.parse(body);
    } catch {
        return { ok: false, reason: `/version did not return JSON: ${short(body)}` };
    }
    const v = (json as { model_version?: unknown })?.model_version;
    if (typeof v === "number") return { ok: true, value: String(v) };
    if (typeof v !== "string" || v.trim() === "") {
        return { ok: false, reason: `/version JSON has no "model_version": ${short(body)}` };
    }
    return { ok: true, value: v.trim() };
}

function classReason(endpoint: string, got: string): string {
    return `${endpoint} returned "${short(got, 60)}", which is not one of the 11 Food-11 classes`;
}

/**
 * What a 5xx from a classifying endpoint means in this app: the request reached the model and the
 * app's Python raised. The usual cause is a model whose output is not one score vector per image.
 */
const modelCrashHint =
    "the app raised while classifying with this model; it expects [1, 11] class scores for a [1, 3, 224, 224] image " +
    "(it takes torch.max(output, 1) and then .item()), so a model with another output shape, such as a [1, 11, 7, 7] " +
    "score map, fails here: check the model's architecture against the app (docs/training.md)";

export function parseTestBody(status: number, body: string): Parsed<string> {
    if (looksLikeHtmlPage(body)) {
        return { ok: false, reason: `/test returned an HTML error page (HTTP ${status})${status >= 500 ? `: ${modelCrashHint}` : ""}` };
    }
    if (status >= 500) return { ok: false, reason: `/test answered HTTP ${status}: ${short(body)}: ${modelCrashHint}` };
    if (status !== 200) return { ok: false, reason: `/test answered HTTP ${status}: ${short(body)}` };
    const value = unescapeHtml(body).trim();
    // The app prints str(None) when inference failed.
    if (value === "None" || value === "") return { ok: false, reason: `/test returned "${value}": the app produced no prediction` };
    return isFood11Class(value) ? { ok: true, value } : { ok: false, reason: classReason("/test", value) };
}

const buttonText = /<button\b[^>]*>([\s\S]*?)<\/button>/i;

export function parsePredictBody(status: number, body: string): Parsed<string> {
    if (looksLikeHtmlPage(body)) {
        return { ok: false, reason: `/predict returned an HTML error page (HTTP ${status})${status >= 500 ? `: ${modelCrashHint}` : ""}` };
    }
    if (status !== 200) return { ok: false, reason: `/predict answered HTTP ${status}: ${short(body)}` };
    if (/badge-warning/.test(body)) return { ok: false, reason: "/predict answered its warning badge: the app produced no prediction for the sample" };
    let value: string | undefined;
    const button = buttonText.exec(body);
    if (button) value = button[1];
    else if (body.trim().startsWith("{")) {
        // A JSON-speaking variant of the app ({"prediction": "..."}) is accepted too.
        try {
            const p = (JSON.parse(body) as { prediction?: unknown }).prediction;
            if (typeof p === "string") value = p;
        } catch {
            value = undefined;
        }
    }
    if (value === undefined) return { ok: false, reason: `/predict answered something other than a prediction: ${short(body)}` };
    value = unescapeHtml(value).trim();
    return isFood11Class(value) ? { ok: true, value } : { ok: false, reason: classReason("/predict", value) };
}
