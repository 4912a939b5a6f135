//! Site codes and subject ids. A subject id carries its site code (`S01-007`), so ids made at
//! different sites never collide at the central node.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteCode(String);

/// The start of a bad id, for the error (never the whole of a huge input).
fn echo(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!(
            "{}… ({} characters)",
            s.chars().take(40).collect::<String>(),
            s.chars().count()
        )
    }
}

impl SiteCode {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let ok = (2..=8).contains(&s.len())
            && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(CoreError::SiteCode(echo(s)))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SiteCode {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}
impl From<SiteCode> for String {
    fn from(s: SiteCode) -> String {
        s.0
    }
}
impl fmt::Display for SiteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `SITE-NNN`: the site code, a hyphen and 3 to 6 digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubjectId(String);

impl SubjectId {
    pub fn parse(s: &str) -> Result<Self, CoreError> {
        let bad = || CoreError::SubjectId(echo(s));
        let (site, num) = s.split_once('-').ok_or_else(bad)?;
        SiteCode::parse(site).map_err(|_| bad())?;
        if !(3..=6).contains(&num.len()) || !num.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        Ok(Self(s.to_string()))
    }
    /// Parses and checks that the subject belongs to `site`.
    pub fn parse_at(s: &str, site: &SiteCode) -> Result<Self, CoreError> {
        let id = Self::parse(s)?;
        if id.site() != site.as_str() {
            return Err(CoreError::WrongSite {
                subject: s.to_string(),
                site: site.to_string(),
            });
        }
        Ok(id)
    }
    pub fn site(&self) -> &str {
        self.0.split_once('-').map(|(s, _)| s).unwrap_or(&self.0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SubjectId {
    type Error = CoreError;
    fn try_from(s: String) -> Result<Self, CoreError> {
        Self::parse(&s)
    }
}
impl From<SubjectId> for String {
    fn from(s: SubjectId) -> String {
        s.0
    }
}
impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_ids() {
        let cases = [
            ("S01-007", true),
            ("S01-000123", true),
            ("CN12-001", true),
            ("S01-07", false),
            ("s01-007", false),
            ("S01007", false),
            ("S01-0071234", false),
            ("S01-00a", false),
            ("1S-001", false),
            ("-001", false),
            ("S01-007 ", false),
        ];
        for (id, ok) in cases {
            assert_eq!(SubjectId::parse(id).is_ok(), ok, "{id}");
        }
        let s01 = SiteCode::parse("S01").unwrap();
        assert!(SubjectId::parse_at("S01-001", &s01).is_ok());
        assert_eq!(
            SubjectId::parse_at("S02-001", &s01),
            Err(CoreError::WrongSite {
                subject: "S02-001".into(),
                site: "S01".into()
            })
        );
        assert_eq!(SubjectId::parse("S02-001").unwrap().site(), "S02");
    }
}
