import { describe, expect, it } from "vitest";
import { cronProblem } from "../../../infra/config/cron";
import { gitRevisionProblem } from "../../../infra/config/git";

describe("cron schedules, as Argo's CronWorkflow controller reads them", () => {
    it.each(["0 2 * * *", "*/15 * * * *", "0 9-17/2 * * MON-FRI", "30 4 1,15 * ?", "0 0 1 jan,jul *", "@daily", "@every 6h30m"])("accepts %s", (schedule) => {
        expect(cronProblem(schedule)).toBeUndefined();
    });

    it.each([
        ["a b c d e", 'minute field "a" is not a value or range within 0-59'],
        ["0 24 * * *", 'hour field "24" is not a value or range within 0-23'],
        ["0 2 0 * *", 'day of month field "0" is not a value or range within 1-31'],
        ["0 2 * 13 *", 'month field "13" is not a value or range within 1-12 or JAN-DEC'],
        ["0 2 * * 7", 'day of week field "7" is not a value or range within 0-6 or SUN-SAT'],
        ["0 2 * * 5-1", 'day of week field "5-1" is not a value or range within 0-6 or SUN-SAT'],
        ["*/0 * * * *", 'minute field "*/0" has a bad step'],
        ["0 2 * *", "has 4 fields; a cron expression has five: minute hour day-of-month month day-of-week"],
        ["0 0 2 * * *", "has 6 fields; a cron expression has five: minute hour day-of-month month day-of-week"],
        ["@fortnightly", '"@fortnightly" is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or "@every <duration>"'],
    ])("refuses %s: %s", (schedule, problem) => {
        expect(cronProblem(schedule)).toBe(problem);
    });
});

describe("git revisions", () => {
    it.each(["main", "workflow", "v1.2.0", "feature/gates", "3f2e6d1c9a10b5b1c4e8d5c4b8e9a573f2e6d1c9"])("accepts %s", (revision) => {
        expect(gitRevisionProblem(revision)).toBeUndefined();
    });

    it.each([
        ["main\nrm -rf /", "contains a space"],
        ["main branch", "contains a space"],
        ["a..b", 'contains ".."'],
        ["-upload-pack=x", 'starts with "-"'],
        ["main@{1}", 'contains ".."'],
        ["feature/", 'ends with "/"'],
        ["refs/.hidden", 'path component starting with "."'],
        ["topic.lock", 'ending with ".lock"'],
        ["x".repeat(256), "must be 1-255 characters"],
    ])("refuses %j", (revision, problem) => {
        expect(gitRevisionProblem(revision)).toContain(problem);
    });
});
