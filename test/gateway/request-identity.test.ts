import { suite } from "uvu";
import * as assert from "uvu/assert";
import { subdomainOf } from "../../src/gateway/http/request-identity.js";

const subdomains = suite("gateway: tenant from subdomain");

subdomains("takes the one label in front of the base domain", () => {
  assert.is(subdomainOf("acme.vbwd.example.com", "vbwd.example.com"), "acme");
  assert.is(subdomainOf("ACME.vbwd.example.com", "vbwd.example.com"), "acme");
});

subdomains("ignores the bare domain, deeper names, www and other domains", () => {
  assert.is(subdomainOf("vbwd.example.com", "vbwd.example.com"), undefined);
  assert.is(subdomainOf("a.b.vbwd.example.com", "vbwd.example.com"), undefined);
  assert.is(subdomainOf("www.vbwd.example.com", "vbwd.example.com"), undefined);
  assert.is(subdomainOf("acme.evilvbwd.example.com", "vbwd.example.com"), undefined);
  assert.is(subdomainOf("acme.vbwd.example.com", undefined), undefined);
});

subdomains.run();
