"""The Feishu / Lark adapter. Modules that need lark-oapi import it themselves, lazily;
importing this package imports nothing heavy."""
