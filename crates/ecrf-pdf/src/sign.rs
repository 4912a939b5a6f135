//! PDF digital signatures (CMS detached, PAdES baseline B) and their verification.
