// Writes the gate image's package.json: the runtime dependencies and the compiler, at the
// exact versions the repository's package.json pins (one source of truth for versions).
"use strict";
const fs = require("node:fs");

const runtime = ["undici", "yaml"];
const build = ["typescript", "@types/node"];

const [source, target] = process.argv.slice(2);
if (!source || !target) throw new Error("usage: node image-package.js ROOT_PACKAGE_JSON OUTPUT");
const root = JSON.parse(fs.readFileSync(source, "utf8"));
const all = { ...root.dependencies, ...root.devDependencies };
const pick = (names) =>
    Object.fromEntries(
        names.map((name) => {
            if (!all[name]) throw new Error(`${name} is not pinned in the root package.json`);
            return [name, all[name]];
        }),
    );

fs.writeFileSync(
    target,
    JSON.stringify(
        { name: "gourmetgram-gates", private: true, license: root.license, dependencies: pick(runtime), devDependencies: pick(build) },
        null,
        2,
    ) + "\n",
);
