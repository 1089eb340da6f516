/**
 * A command's answer that is a document rather than JSON, such as an `.ics` file. Adapters send
 * its content with its media type; protocols that only speak JSON wrap it as a file.
 */
export class FileOutput {
  constructor(
    readonly fileName: string,
    readonly mediaType: string,
    readonly content: string,
    /** `Cache-Control` for HTTP answers: private by default, as files hold customer data. */
    readonly cacheControl = "private, no-store",
  ) {}
}
