// Each test process logs only warnings from the Temporal runtime, so failures stay readable.
process.env.TZ = 'UTC';
