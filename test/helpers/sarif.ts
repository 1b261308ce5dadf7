/** The official OASIS SARIF 2.1.0 schema (test/fixtures), compiled once, for tests of what fqc emits. */
import { readFileSync } from "node:fs";
import Ajv04Mod from "ajv-draft-04";
import addFormatsMod from "ajv-formats";

const Ajv04 = Ajv04Mod.default;
const addFormats = addFormatsMod.default;
const ajv = new Ajv04({ allErrors: true, strict: false });
addFormats(ajv);

export const validateSarif = ajv.compile(JSON.parse(readFileSync(new URL("../fixtures/sarif-schema-2.1.0.json", import.meta.url), "utf8")));
