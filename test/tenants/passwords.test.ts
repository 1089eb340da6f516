import { suite } from "uvu";
import * as assert from "uvu/assert";
import { hashPassword, verifyPassword } from "../../src/tenants/passwords.js";

const passwords = suite("tenants: passwords");

passwords("verifies the right password and refuses others", async () => {
  const hash = await hashPassword("correct horse battery");
  assert.match(hash, /^scrypt\$16384\$8\$1\$/);
  assert.ok(await verifyPassword("correct horse battery", hash));
  assert.not.ok(await verifyPassword("correct horse batterY", hash));
});

passwords("salts each hash and refuses malformed ones", async () => {
  assert.is.not(await hashPassword("same"), await hashPassword("same"));
  assert.not.ok(await verifyPassword("x", "md5$abc"));
  assert.not.ok(await verifyPassword("x", ""));
});

passwords.run();
