// GraphQL Code Generator: TypeScript types for recordhub's schema (schema/hub.graphql, the SDL
// that `recordhub schema` prints and a test keeps fresh) and a typed document for every
// operation in schema/operations/. The output is generated, not committed (see README.md).
import type { CodegenConfig } from "@graphql-codegen/cli";

// Custom scalars: DateTime is an ISO 8601 string in UTC, Decimal an exact decimal as a
// string, JSON any JSON value, Upload a browser File (multipart request).
const scalars = {
  DateTime: "string",
  Decimal: "string",
  JSON: "unknown",
  Upload: "File",
  _Any: "unknown",
};

const config: CodegenConfig = {
  schema: "../../schema/hub.graphql",
  documents: ["../../schema/operations/**/*.graphql"],
  // Fail rather than write an empty file when the glob matches nothing.
  ignoreNoDocuments: false,
  generates: {
    // Every type of the schema, for code that works with the schema as a whole (e.g. a cache's
    // type policies). typescript-operations 6 writes the enums and inputs that
    // operations use itself, so the two plugins go to separate files to avoid duplicates.
    "src/generated/schema.ts": {
      plugins: ["typescript"],
      config: {
        scalars,
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
      },
    },
    // One result type, one variables type and one typed document per operation.
    "src/generated/graphql.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        scalars,
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        strictScalars: true,
      },
    },
  },
};

export default config;
