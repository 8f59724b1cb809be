"""A fake Feishu for tests: Open API over HTTP, signed and encrypted events, and the
long connection (see `server.FakeFeishu`)."""
