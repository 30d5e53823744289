"""Resume reading (PDF, DOCX, text, JSON Resume) and profile extraction."""
