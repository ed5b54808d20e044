/**
 * Checks a schedule the way Argo's CronWorkflow controller reads it (robfig/cron's standard
 * parser: five fields or an @descriptor). Hand-written because npm's cron parsers each accept
 * a different dialect (seconds fields, L/W/#), and the point is to refuse at `pulumi preview`
 * exactly what the controller would refuse after deployment.
 */

interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    readonly names?: readonly string[];
}

const fields: readonly CronField[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
    { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

function valueOf(field: CronField, text: string): number | undefined {
    const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) return named + (field.name === "month" ? 1 : 0);
    if (!/^\d+$/.test(text)) return undefined;
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
}

/** Why one field of a five-field expression is wrong, or undefined when it is fine. */
function fieldProblem(field: CronField, text: string): string | undefined {
    for (const part of text.split(",")) {
        const [range, step, extra] = part.split("/");
        if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `"${part}" has a bad step`;
        if (range === "*" || range === "?") continue;
        const [low, high, rest] = range.split("-");
        const from = valueOf(field, low);
        const to = high === undefined ? from : valueOf(field, high);
        if (rest !== undefined || from === undefined || to === undefined || from > to) {
            const names = field.names ? ` or ${field.names[0].toUpperCase()}-${field.names.at(-1)!.toUpperCase()}` : "";
            return `"${part}" is not a value or range within ${field.min}-${field.max}${names}`;
        }
    }
    return undefined;
}

/** Why a schedule would be refused, or undefined when Argo accepts it. */
export function cronProblem(schedule: string): string | undefined {
    const text = schedule.trim();
    if (text.startsWith("@")) {
        if (descriptors.includes(text)) return undefined;
        if (/^@every \d+(\.\d+)?(ns|us|µs|ms|s|m|h)(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))*$/.test(text)) return undefined;
        return `"${text}" is not one of ${descriptors.join(", ")} or "@every <duration>"`;
    }
    const parts = text.split(/\s+/);
    if (parts.length !== 5) return `has ${parts.length} field${parts.length === 1 ? "" : "s"}; a cron expression has five: minute hour day-of-month month day-of-week`;
    for (const [index, field] of fields.entries()) {
        const problem = fieldProblem(field, parts[index]);
        if (problem) return `${field.name} field ${problem}`;
    }
    return undefined;
}
