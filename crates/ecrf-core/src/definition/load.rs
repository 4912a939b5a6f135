use super::check::check;
use super::model::*;
use crate::canonical::hash_canonical;
use crate::CoreError;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The study file: study identity, parameters, codelists, events and the list of form files.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudyFile {
    format: u32,
    study: StudyInfo,
    #[serde(default)]
    parameters: toml::Table,
    #[serde(default)]
    codelists: Vec<Codelist>,
    events: Vec<EventDef>,
    /// Paths of form files, relative to the study file.
    form_files: Vec<String>,
}

/// The format version this build reads.
pub const FORMAT: u32 = 1;

/// Loads a definition from its files (name → text). `root` names the study file; the form
/// files it lists are looked up in `files` relative to the study file's folder. The caller does
/// the reading, so the core stays free of IO.
pub fn load(files: &BTreeMap<String, String>, root: &str) -> Result<Definition, Vec<CoreError>> {
    let text = files
        .get(root)
        .ok_or_else(|| vec![at(root, 0, 0, "file not found".into())])?;
    let study: StudyFile = parse(root, text).map_err(|e| vec![e])?;
    if study.format != FORMAT {
        return Err(vec![at(
            root,
            locate(text, 0, "format =").0,
            1,
            format!(
                "unsupported definition format {}; this program reads format {FORMAT}",
                study.format
            ),
        )]);
    }
    let dir = match root.rfind('/') {
        Some(i) => &root[..=i],
        None => "",
    };
    let mut errors = Vec::new();
    let mut forms = Vec::new();
    let mut used = BTreeMap::new();
    used.insert(root.to_string(), text.clone());
    for path in &study.form_files {
        let name = format!("{dir}{path}");
        match files.get(&name) {
            None => errors.push(at(
                root,
                locate(text, 0, &format!("\"{path}\"")).0,
                1,
                format!("form file {name:?} not found"),
            )),
            Some(ftext) => match parse::<FormDef>(&name, ftext) {
                Ok(mut f) => {
                    f.file = name.clone();
                    used.insert(name.clone(), ftext.clone());
                    forms.push(f);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let parameters: BTreeMap<String, Json> = study
        .parameters
        .into_iter()
        .map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(Json::Null)))
        .collect();
    let sha256 = hash_canonical(&used).map_err(|e| vec![e])?;
    let def = Definition {
        study: study.study,
        parameters,
        codelists: study.codelists,
        events: study.events,
        forms,
        sha256,
    };
    let errors = check(&def, &used, root);
    if errors.is_empty() {
        Ok(def)
    } else {
        Err(errors)
    }
}

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, CoreError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        at(file, line, column, e.message().to_string())
    })
}

pub(super) fn at(file: &str, line: usize, column: usize, message: String) -> CoreError {
    CoreError::Definition {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

/// The 1-based line and column of the first occurrence of `needle` at or after line `from`
/// (1-based; 0 = anywhere); (0, 0) when absent. Used to point semantic errors at the text.
pub(super) fn locate(text: &str, from: usize, needle: &str) -> (usize, usize) {
    let start = if from <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(from - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    match text[start..].find(needle) {
        Some(i) => line_col(text, start + i),
        None => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_lines() {
        let t = "a = 1\nid = \"X\"\nid = \"Y\"\n";
        assert_eq!(locate(t, 0, "id = \"Y\""), (3, 1));
        assert_eq!(locate(t, 3, "id"), (3, 1));
        assert_eq!(locate(t, 0, "nope"), (0, 0));
        assert_eq!(line_col(t, 8), (2, 3));
    }
}
