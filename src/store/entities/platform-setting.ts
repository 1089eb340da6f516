import { EntitySchema, type Opt } from "@mikro-orm/core";

/** A platform-wide value kept in the database, such as a generated secret shared by all nodes. */
export class PlatformSetting {
  name!: string;
  value!: string;
  createdAt: Opt<Date> = new Date();
}

export const PlatformSettingSchema = new EntitySchema<PlatformSetting>({
  class: PlatformSetting,
  tableName: "platform_settings",
  properties: {
    name: { type: "string", length: 64, primary: true },
    value: { type: "text" },
    createdAt: { type: "datetime", length: 3 },
  },
});
