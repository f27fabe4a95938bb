"""The chat's screens besides the main one: passage, help, conversations, model, folder."""
