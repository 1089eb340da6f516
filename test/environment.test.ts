import { suite } from "uvu";
import * as assert from "uvu/assert";
import { inCI, mysqlUrl, pingMysql, pingRedis, redisUrl, warnSkipped } from "./support/services.js";

const environment = suite("environment");

if (inCI) {
  environment("CI has MySQL at DATABASE_URL", async () => {
    const url = mysqlUrl();
    assert.ok(url, "CI=true needs DATABASE_URL=mysql://… (MySQL suites may not skip in CI)");
    await pingMysql(url);
  });

  environment("CI has Redis at REDIS_URL", async () => {
    const url = redisUrl();
    assert.ok(url, "CI=true needs REDIS_URL (Redis suites may not skip in CI)");
    await pingRedis(url);
  });
} else {
  environment("reports which real services this run has", async () => {
    const mysql = mysqlUrl();
    if (!mysql) warnSkipped("MySQL integration suites", "DATABASE_URL does not point at mysql://");
    else await pingMysql(mysql);
    const redis = redisUrl();
    if (!redis) warnSkipped("Redis suites", "REDIS_URL is not set");
    else await pingRedis(redis);
  });
}

environment.run();
