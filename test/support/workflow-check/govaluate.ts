/**
 * The subset of govaluate (the expression language of Argo's `when`) that workflow templates
 * here may use: string and number literals, bare words (Argo turns govaluate variables into
 * strings, so `Succeeded == Succeeded` compares two strings), `== != =~ !~ < <= > >=`,
 * `&& || !` and parentheses. Anything else (arithmetic, ternaries, functions) is rejected:
 * a template that needs it should not be deciding in a `when`.
 *
 * Written by hand rather than taken from a library: no maintained npm port of govaluate
 * exists, and Argo's own `expr` library is for `{{=...}}` expressions, not `when`.
 */
export type Value = string | number | boolean;

type Token =
    | { kind: "literal"; value: Value }
    | { kind: "op"; op: string }
    | { kind: "paren"; open: boolean };

export class ExpressionError extends Error {}

const comparators = ["==", "!=", "=~", "!~", ">=", "<=", ">", "<"];

export function tokenize(text: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "(" || c === ")") {
            tokens.push({ kind: "paren", open: c === "(" });
            i++;
        } else if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) throw new ExpressionError(`unclosed string starting at ${i}: ${text.slice(i)}`);
            tokens.push({ kind: "literal", value: text.slice(i + 1, end) });
            i = end + 1;
        } else if (/[0-9]/.test(c)) {
            const match = /^[0-9.]+/.exec(text.slice(i))![0];
            if (!/^\d+(\.\d+)?$/.test(match)) throw new ExpressionError(`malformed number ${match} at ${i}`);
            tokens.push({ kind: "literal", value: Number(match) });
            i += match.length;
        } else if (/[A-Za-z_]/.test(c)) {
            const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i))![0];
            tokens.push({ kind: "literal", value: word === "true" ? true : word === "false" ? false : word });
            i += word.length;
        } else {
            const op = ["&&", "||", ...comparators, "!"].find((candidate) => text.startsWith(candidate, i));
            if (!op) throw new ExpressionError(`unsupported character ${JSON.stringify(c)} at ${i} in: ${text}`);
            tokens.push({ kind: "op", op });
            i += op.length;
        }
    }
    return tokens;
}

export type Expr =
    | { kind: "literal"; value: Value }
    | { kind: "not"; operand: Expr }
    | { kind: "binary"; op: string; left: Expr; right: Expr };

/** Parses a `when` expression after substitution; throws ExpressionError when it does not parse. */
export function parse(text: string): Expr {
    const tokens = tokenize(text);
    let at = 0;
    const peek = () => tokens[at];
    const isOp = (op: string) => {
        const t = peek();
        return t !== undefined && t.kind === "op" && t.op === op;
    };

    function or(): Expr {
        let left = and();
        while (isOp("||")) {
            at++;
            left = { kind: "binary", op: "||", left, right: and() };
        }
        return left;
    }
    function and(): Expr {
        let left = comparison();
        while (isOp("&&")) {
            at++;
            left = { kind: "binary", op: "&&", left, right: comparison() };
        }
        return left;
    }
    function comparison(): Expr {
        const left = unary();
        const t = peek();
        if (t && t.kind === "op" && comparators.includes(t.op)) {
            at++;
            return { kind: "binary", op: t.op, left, right: unary() };
        }
        return left;
    }
    function unary(): Expr {
        if (isOp("!")) {
            at++;
            return { kind: "not", operand: unary() };
        }
        const t = peek();
        if (!t) throw new ExpressionError(`unexpected end of expression: ${text}`);
        at++;
        if (t.kind === "literal") return { kind: "literal", value: t.value };
        if (t.kind === "paren" && t.open) {
            const inner = or();
            const close = peek();
            if (!close || close.kind !== "paren" || close.open) throw new ExpressionError(`missing ) in: ${text}`);
            at++;
            return inner;
        }
        throw new ExpressionError(`unexpected ${t.kind === "op" ? t.op : ")"} in: ${text}`);
    }

    if (tokens.length === 0) throw new ExpressionError("empty expression");
    const expr = or();
    if (at !== tokens.length) throw new ExpressionError(`unexpected trailing input in: ${text}`);
    return expr;
}

export function evaluate(expr: Expr): Value {
    switch (expr.kind) {
        case "literal":
            return expr.value;
        case "not": {
            const value = evaluate(expr.operand);
            if (typeof value !== "boolean") throw new ExpressionError(`! applied to non-boolean ${JSON.stringify(value)}`);
            return !value;
        }
        case "binary": {
            const left = evaluate(expr.left);
            if (expr.op === "&&" || expr.op === "||") {
                const right = evaluate(expr.right);
                if (typeof left !== "boolean" || typeof right !== "boolean") {
                    throw new ExpressionError(`${expr.op} needs booleans, got ${JSON.stringify(left)} and ${JSON.stringify(right)}`);
                }
                return expr.op === "&&" ? left && right : left || right;
            }
            const right = evaluate(expr.right);
            switch (expr.op) {
                case "==":
                    return left === right;
                case "!=":
                    return left !== right;
                case "=~":
                case "!~": {
                    if (typeof left !== "string" || typeof right !== "string") {
                        throw new ExpressionError(`${expr.op} needs strings, got ${JSON.stringify(left)} and ${JSON.stringify(right)}`);
                    }
                    const matches = new RegExp(right).test(left);
                    return expr.op === "=~" ? matches : !matches;
                }
                default: {
                    if (typeof left !== "number" || typeof right !== "number") {
                        throw new ExpressionError(`${expr.op} needs numbers, got ${JSON.stringify(left)} and ${JSON.stringify(right)}`);
                    }
                    return expr.op === ">" ? left > right : expr.op === ">=" ? left >= right : expr.op === "<" ? left < right : left <= right;
                }
            }
        }
    }
}

/** Parses and evaluates; the result of a `when` must be a boolean. */
export function evaluateWhen(text: string): boolean {
    const value = evaluate(parse(text));
    if (typeof value !== "boolean") throw new ExpressionError(`when must be true or false, got ${JSON.stringify(value)}: ${text}`);
    return value;
}
