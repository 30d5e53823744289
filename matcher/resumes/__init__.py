"""Resume reading (PDF, DOCX, text, JSON Resume) and profile extraction.

Public API:
- :class:`ResumeParser` (``parse(data, filename=, as_of=) -> ParsedResume``; ``close()`` / ``with``)
- :func:`profile_from_text`, :func:`profile_from_json_resume`, :func:`extract_skills`, :func:`detect_kind`
"""
from matcher.resumes.jsonresume import profile_from_json_resume
from matcher.resumes.parser import ParsedResume, ResumeParser
from matcher.resumes.profile import clean_text, profile_from_text
from matcher.resumes.readers import ACCEPTED, detect_kind
from matcher.resumes.skills import extract_skills

__all__ = ["ACCEPTED", "ParsedResume", "ResumeParser", "clean_text", "detect_kind", "extract_skills",
           "profile_from_json_resume", "profile_from_text"]
