// Hand-written: the one npm parser (parse-prometheus-text-format) brings an unpinned dependency into the gate image, whose lock-free install takes dependency-free packages only; the subset read here is small.
/**
 * Reads the Prometheus text exposition format (version 0.0.4), as Traefik's /metrics serves
 * it: `# HELP` / `# TYPE` comments and sample lines `name{label="value",...} value [timestamp]`.
 * Label values may contain the escapes \\ \" \n. Only the samples are kept; a line that is
 * neither a comment nor a well-formed sample is an error naming its line number, because a
 * misread counter would turn into a wrong verdict.
 */

export interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
}

export class ExpositionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ExpositionError";
    }
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(raw: string, line: number): number {
    switch (raw) {
        case "+Inf":
            return Number.POSITIVE_INFINITY;
        case "-Inf":
            return Number.NEGATIVE_INFINITY;
        case "NaN":
            return Number.NaN;
    }
    const value = Number(raw);
    if (raw === "" || Number.isNaN(value)) throw new ExpositionError(`line ${line}: "${raw}" is not a sample value`);
    return value;
}

/** Parses `{a="x",b="y"}` starting at text[0] === "{"; returns the labels and what follows. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
    const labels = new Map<string, string>();
    let i = 1;
    for (;;) {
        while (text[i] === " ") i++;
        if (text[i] === "}") return { labels: Object.fromEntries(labels), rest: text.slice(i + 1) };
        const name = labelNamePattern.exec(text.slice(i));
        if (!name) throw new ExpositionError(`line ${line}: expected a label name at column ${i + 1}`);
        i += name[0].length;
        while (text[i] === " ") i++;
        if (text[i] !== "=" || text[i + 1] !== '"') throw new ExpositionError(`line ${line}: expected ="..." after label ${name[0]}`);
        i += 2;
        let value = "";
        for (;;) {
            const c = text[i];
            if (c === undefined) throw new ExpositionError(`line ${line}: unterminated value of label ${name[0]}`);
            if (c === '"') break;
            if (c === "\\") {
                const next = text[i + 1];
                if (next === "n") value += "\n";
                else if (next === "\\" || next === '"') value += next;
                else throw new ExpositionError(`line ${line}: unknown escape \\${next ?? ""} in label ${name[0]}`);
                i += 2;
                continue;
            }
            value += c;
            i++;
        }
        i++;
        if (labels.has(name[0])) throw new ExpositionError(`line ${line}: label ${name[0]} appears twice`);
        labels.set(name[0], value);
        while (text[i] === " ") i++;
        if (text[i] === ",") i++;
        else if (text[i] !== "}") throw new ExpositionError(`line ${line}: expected , or } after label ${name[0]}`);
    }
}

export function parseExposition(text: string): Sample[] {
    const samples: Sample[] = [];
    const lines = text.split("\n");
    for (let n = 0; n < lines.length; n++) {
        const line = lines[n].replace(/\r$/, "").trim();
        if (line === "" || line.startsWith("#")) continue;
        const name = namePattern.exec(line);
        if (!name) throw new ExpositionError(`line ${n + 1}: expected a metric name, got ${JSON.stringify(line.slice(0, 40))}`);
        let rest = line.slice(name[0].length);
        let labels: Record<string, string> = {};
        if (rest.startsWith("{")) ({ labels, rest } = parseLabels(rest, n + 1));
        const fields = rest.trim().split(/\s+/);
        if (fields.length < 1 || fields.length > 2 || fields[0] === "") {
            throw new ExpositionError(`line ${n + 1}: expected a value (and an optional timestamp) after ${name[0]}`);
        }
        samples.push({ name: name[0], labels, value: parseValue(fields[0], n + 1) });
    }
    return samples;
}
