"""Platform-neutral serving: the inbox and its workers, the front door, health.

A platform's listener stores what it must do as an inbox row before it
acknowledges (`Inbox.put`); workers in any process of any replica claim rows
(`InboxWorkers`), run the platform's handler for the row's kind, and finish
the row in the same transaction as the use case (`Finish`). Nothing here
names a platform.
"""
