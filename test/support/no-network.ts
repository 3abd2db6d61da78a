/**
 * Vitest setup for every project: no test may reach the real Anthropic API, so the variables
 * that would point the example registry or a planner at it are cleared (child processes the
 * tests spawn inherit the cleared environment). Tests that need a key pass their own, with the
 * loopback test server as the base URL.
 */
for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'WEFT_MODEL']) delete process.env[name];
// Nor may a developer's blob store: tests choose theirs (a temporary directory, or the loopback
// SeaweedFS of test/support/s3-server.ts), so these would only point workers elsewhere.
for (const name of ['WEFT_BLOB_URL', 'WEFT_S3_ENDPOINT', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3']) delete process.env[name];
