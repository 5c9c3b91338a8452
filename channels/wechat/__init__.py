"""The WeChat official account (公众号) edge: callback, outbound API client, login, notifiers."""
