/** The OAuth protected resource metadata (RFC 9728) of the authenticated MCP endpoint. */
export interface ResourceMetadata {
  resource: string;
  resource_name: string;
  bearer_methods_supported: string[];
  resource_documentation: string;
  /** Why no `authorization_servers` are listed: keys are issued by the tenant, not OAuth. */
  vbwd_credentials: string;
}

/** The metadata for an engine reached at `base` (scheme, host and port). */
export function resourceMetadataFor(base: string): ResourceMetadata {
  return {
    resource: `${base}/mcp`,
    resource_name: "VBWD booking engine (MCP)",
    bearer_methods_supported: ["header"],
    resource_documentation: `${base}/docs`,
    vbwd_credentials:
      "Send an agent key (ak_…) or a secret key (sk_…) as Authorization: Bearer. Keys are issued by the tenant's dashboard or POST /api/v1/keys; there is no OAuth authorization server.",
  };
}

/** Where clients find the metadata, as `WWW-Authenticate` points to it. */
export function resourceMetadataUrl(base: string): string {
  return `${base}/.well-known/oauth-protected-resource/mcp`;
}
