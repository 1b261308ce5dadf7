/** `fqc schema`: print the JSON Schema (for editors, catalogs and other validators). */
import type { Argv, CommandModule } from "yargs";
import { buildSchema } from "../../config/schema-source.js";
import type { CliIO } from "../io.js";

interface SchemaArgs {
  draft: "2020-12" | "07";
}

export function schemaCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, SchemaArgs> {
  return {
    command: "schema",
    describe: "Print fqc's JSON Schema for config files",
    builder: (y: Argv) =>
      y
        .option("draft", { type: "string", choices: ["2020-12", "07"] as const, default: "2020-12" as const, describe: "JSON Schema draft" })
        .example("$0 schema > fqc.schema.json", "Save the schema for an editor")
        .example("$0 schema --draft 07", "The draft-07 copy for older tools"),
    handler: (argv) => {
      io.stdout.write(`${JSON.stringify(buildSchema(argv.draft === "07" ? "draft-07" : "2020-12"), null, 2)}\n`);
      setExit(0);
    },
  };
}
