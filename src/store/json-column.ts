import { JsonType, type Platform } from "@mikro-orm/core";

/**
 * JSON columns that read back as values on every server. MariaDB keeps JSON as text and
 * mysql2 hands it over as a string, while the MySQL platform expects the driver to have
 * parsed it; a string read here is parsed. The column type and writes are MikroORM's own.
 */
export class JsonColumn extends JsonType {
  override convertToJSValue(value: unknown, platform: Platform): unknown {
    if (typeof value === "string" && platform.convertsJsonAutomatically()) {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
    return super.convertToJSValue(value as string, platform);
  }
}

/** A JSON property definition for entity schemas. */
export const jsonColumn = { type: JsonColumn } as const;
