"""Report packs (飞阅会): meeting documents rendered from one editable template to Markdown,
.docx and PDF, members' weekly entries, and the reading-meeting flow."""
