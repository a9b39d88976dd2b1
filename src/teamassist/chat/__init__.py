"""The platform-neutral chat core: messages in, commands, replies and notices out."""
