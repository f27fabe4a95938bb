"""The chat's widgets: the conversation, the sources panel and the status bar."""
