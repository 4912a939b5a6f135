//! CDISC ODM 1.3.2 export, written as a stream (one subject's events in memory at a time).
//!
//! **Transactional by default, so that every change is carried.** ODM 1.3.2 lets `ItemData`
//! hold at most one `AuditRecord`, and an untyped `ItemData` cannot point into
//! `ClinicalData/AuditRecords` (only the typed `ItemData*` elements have `AuditRecordID`, and
//! then only one). A Snapshot file therefore can carry one change per value at most. A
//! Transactional file may name an entity several times, and its transactions apply in document
//! order; so the export writes, for every item, **one `ItemData` per change event** of its
//! value (`Insert`, then `Update`; a value set to nothing is `Remove`), each with its own
//! `AuditRecord` (UserRef, LocationRef, DateTimeStamp = capture time, ReasonForChange,
//! SourceID = the event id). The last `ItemData` of an item is its current value (in an
//! unresolved conflict the version shown is put last). `--snapshot` writes only the current
//! values, each with the `AuditRecord` of the change that set it.
//!
//! **Signatures.** A `Signature` (UserRef, LocationRef, SignatureRef → `SignatureDef` with
//! Meaning and LegalReason in `AdminData`, DateTimeStamp, and the signed content hash as
//! `CryptoBindingManifest`) is the child of the `FormData`, `StudyEventData` or `SubjectData`
//! it covers. Each of those holds one signature at most, so in a Transactional file each
//! signature is its own transaction: the covered element is named again
//! (`TransactionType="Update"`, its parents `Context`) with the `Signature` as its only content.
//! A Snapshot file attaches the latest signature of each scope to the element itself.
//!
//! Special values have no value: `IsNull="Yes"` plus an `Annotation` whose `Flag` is a code of
//! the code list `ECRF.CL.SPECIAL` (NOT_DONE, ND, UNK, NA, NASK, BLQ) and whose `Comment` holds
//! the reason of a "not done" or the limit of a BLQ (`LLOQ 0.5`). Derived values are `ItemDef`s
//! with a `MethodDef` in the form's item group `DERIVED`; their data are the value computed at
//! export, then one `ItemData` per override event of an investigator (with its AuditRecord).

use super::ExportSummary;
use super::{check_new_output, finish_partial, io_err, num, partial_path, remove_any};
use crate::auth::Session;
use crate::view::StoreView;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::FormRef;
use ecrf_core::definition::{Definition, FormDef, ItemDef, ItemType, Text, MAIN_GROUP};
use ecrf_core::derive::derive_form;
use ecrf_core::event::{Payload, Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::NodeRole;
use ecrf_store::{EventFilter, FormState, SubjectRow};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The ODM namespace of versions 1.3.x.
pub const ODM_NS: &str = "http://www.cdisc.org/ns/odm/v1.3";
/// The code list of special values (flags on null `ItemData`).
pub const SPECIAL_CODELIST: &str = "ECRF.CL.SPECIAL";
/// The item group of a form's derived values.
pub const DERIVED_GROUP: &str = "DERIVED";

/// Which kind of ODM file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdmKind {
    /// Every change of every value, each with its AuditRecord (the default).
    Transactional,
    /// Current values only, each with the AuditRecord of the change that set it.
    Snapshot,
}

const SPECIAL: &[(&str, &str, &str)] = &[
    ("NOT_DONE", "Not done", "未做"),
    ("ND", "Not done (code ND)", "未做（ND）"),
    ("UNK", "Unknown", "未知"),
    ("NA", "Not applicable", "不适用"),
    ("NASK", "Not asked", "未询问"),
    ("BLQ", "Below the limit of quantification", "低于定量下限"),
];

fn meaning_def(m: SignatureMeaning) -> (&'static str, &'static str) {
    match m {
        SignatureMeaning::Authorship => {
            ("SD.AUTHORSHIP", "Authorship: I am the author of these data")
        }
        SignatureMeaning::Review => ("SD.REVIEW", "Review: I have reviewed these data"),
        SignatureMeaning::Approval => ("SD.APPROVAL", "Approval: I approve these data"),
    }
}

const LEGAL_REASON: &str =
    "Electronic signature under 21 CFR Part 11.50/11.200 and EU GMP Annex 11: \
the signer re-entered the password; the signature is bound to the SHA-256 of the RFC 8785 \
serialisation of the signed forms' values, overrides and definition versions \
(CryptoBindingManifest), and is broken by any later change of them.";

// ---------------------------------------------------------------- the XML writer

struct Xml {
    w: Writer<BufWriter<File>>,
    path: PathBuf,
}

type Attrs<'a> = &'a [(&'a str, &'a str)];

impl Xml {
    fn ev(&mut self, e: Event<'_>) -> Result<()> {
        self.w.write_event(e).map_err(|e| io_err(&self.path, e))
    }
    fn tag(name: &str, attrs: Attrs) -> BytesStart<'static> {
        let mut e = BytesStart::new(name.to_string());
        for (k, v) in attrs {
            e.push_attribute((*k, *v));
        }
        e
    }
    fn start(&mut self, name: &str, attrs: Attrs) -> Result<()> {
        self.ev(Event::Start(Xml::tag(name, attrs)))
    }
    fn end(&mut self, name: &str) -> Result<()> {
        self.ev(Event::End(BytesEnd::new(name)))
    }
    fn empty(&mut self, name: &str, attrs: Attrs) -> Result<()> {
        self.ev(Event::Empty(Xml::tag(name, attrs)))
    }
    fn leaf(&mut self, name: &str, attrs: Attrs, text: &str) -> Result<()> {
        self.start(name, attrs)?;
        self.ev(Event::Text(BytesText::new(text)))?;
        self.end(name)
    }
    /// `<name>` with a `TranslatedText` per language (English, then Chinese when given).
    fn translated(&mut self, name: &str, en: &str, zh: &str) -> Result<()> {
        self.start(name, &[])?;
        self.leaf("TranslatedText", &[("xml:lang", "en")], en)?;
        if !zh.is_empty() {
            self.leaf("TranslatedText", &[("xml:lang", "zh")], zh)?;
        }
        self.end(name)
    }
    fn text(&mut self, name: &str, t: &Text) -> Result<()> {
        self.translated(name, &t.en, &t.zh)
    }
}

// ---------------------------------------------------------------- OIDs

fn se_oid(event: &str) -> String {
    format!("SE.{event}")
}
fn f_oid(form: &str) -> String {
    format!("F.{form}")
}
fn ig_oid(form: &str, group: &str) -> String {
    format!("IG.{form}.{group}")
}
fn it_oid(form: &str, item: &str) -> String {
    format!("IT.{form}.{item}")
}
fn mdv_oid(version: &str) -> String {
    format!("MDV.{version}")
}
fn loc_oid(site: &str) -> String {
    format!("LOC.{site}")
}
const LOC_CENTRAL: &str = "LOC.CENTRAL";
fn user_oid(user_id: &str) -> String {
    format!("USR.{user_id}")
}

/// Measurement unit OIDs: the unit's letters and digits, other characters spelt out.
fn unit_oids(defs: &[&Definition]) -> BTreeMap<String, String> {
    let mut units = BTreeSet::new();
    for d in defs {
        for f in &d.forms {
            units.extend(f.items.iter().filter_map(|i| i.unit.clone()));
            units.extend(f.derived.iter().filter_map(|i| i.unit.clone()));
        }
    }
    let mut out = BTreeMap::new();
    let mut taken = HashSet::new();
    for u in units {
        let mut s = String::from("MU.");
        for c in u.chars() {
            match c {
                c if c.is_ascii_alphanumeric() => s.push(c),
                '%' => s.push_str("PCT"),
                '/' => s.push_str("_PER_"),
                '²' => s.push('2'),
                '³' => s.push('3'),
                'µ' | 'μ' => s.push('u'),
                _ => s.push('_'),
            }
        }
        let mut oid = s.clone();
        let mut n = 2;
        while !taken.insert(oid.clone()) {
            oid = format!("{s}.{n}");
            n += 1;
        }
        out.insert(u, oid);
    }
    out
}

/// A form's item groups in the order their items first appear (then declared groups with no
/// items), each with its items.
fn groups_of(form: &FormDef) -> Vec<(String, Vec<&ItemDef>)> {
    let mut out: Vec<(String, Vec<&ItemDef>)> = Vec::new();
    for it in &form.items {
        match out.iter_mut().find(|(g, _)| *g == it.group) {
            Some((_, v)) => v.push(it),
            None => out.push((it.group.clone(), vec![it])),
        }
    }
    for g in &form.groups {
        if !out.iter().any(|(id, _)| *id == g.id) {
            out.push((g.id.clone(), Vec::new()));
        }
    }
    out
}

fn data_type(it: &ItemDef) -> &'static str {
    match it.kind {
        ItemType::Text | ItemType::Note | ItemType::Choice => "text",
        ItemType::Integer => "integer",
        ItemType::Decimal => "float",
        ItemType::Boolean => "boolean",
        ItemType::Date if it.partial => "partialDate",
        ItemType::Date => "date",
        ItemType::Datetime => "datetime",
        ItemType::Time => "time",
    }
}

// ---------------------------------------------------------------- values

/// A value as ODM writes it.
#[derive(Debug, Clone, PartialEq)]
enum OdmVal {
    Value(String),
    /// No value: cleared, or a special value (flag code and comment).
    Null(Option<(String, String)>),
}

/// `HH:MM` → `HH:MM:SS` (xs:time and xs:dateTime need seconds).
fn with_seconds(t: &str) -> String {
    // The time part starts at 'T' in a date-time; its zone (Z, +hh:mm, -hh:mm) follows.
    let (head, time) = match t.find('T') {
        Some(i) => (&t[..=i], &t[i + 1..]),
        None => ("", t),
    };
    let zone_at = time.find(['Z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    if clock.len() == 5 {
        format!("{head}{clock}:00{zone}")
    } else {
        t.to_string()
    }
}

fn odm_value(kind: Option<ItemType>, v: &Json) -> OdmVal {
    match v {
        Json::Null => OdmVal::Null(None),
        Json::String(s) => OdmVal::Value(match kind {
            Some(ItemType::Datetime) | Some(ItemType::Time) => with_seconds(s),
            _ => s.clone(),
        }),
        Json::Number(n) => OdmVal::Value(n.to_string()),
        Json::Bool(b) => OdmVal::Value(b.to_string()),
        Json::Object(m) => {
            if let Some(r) = m.get("not_done") {
                OdmVal::Null(Some((
                    "NOT_DONE".into(),
                    r.as_str().unwrap_or_default().to_string(),
                )))
            } else if let Some(c) = m.get("code").and_then(Json::as_str) {
                OdmVal::Null(Some((c.to_string(), String::new())))
            } else if let Some(l) = m.get("blq") {
                OdmVal::Null(Some(("BLQ".into(), format!("LLOQ {l}"))))
            } else {
                OdmVal::Value(v.to_string())
            }
        }
        Json::Array(_) => OdmVal::Value(v.to_string()),
    }
}

// ---------------------------------------------------------------- export

/// Counts of what was written.
#[derive(Default)]
struct Counts {
    subjects: u64,
    forms: u64,
    item_data: u64,
    audit_records: u64,
    signatures: u64,
}

/// One version of a value: what it became and the change event that made it (none for a
/// derived value computed at export).
struct Version<'e> {
    value: OdmVal,
    event: Option<&'e StoredEventRef>,
    reason: Option<String>,
    resolution: bool,
}

/// Everything fixed for the whole file.
struct Ctx<'d> {
    kind: OdmKind,
    defs: BTreeMap<String, &'d Definition>,
    /// Nodes whose events are the central node's (AuditRecord location).
    central_nodes: HashSet<String>,
    /// Entities already named (Insert once, then Context).
    seen: HashSet<String>,
    counts: Counts,
    today: String,
}

impl Ctx<'_> {
    fn tt(&self, first: bool) -> Option<&'static str> {
        match self.kind {
            OdmKind::Snapshot => None,
            OdmKind::Transactional if first => Some("Insert"),
            OdmKind::Transactional => Some("Context"),
        }
    }
    /// The transaction type of a container, and marks it named.
    fn container(&mut self, key: String) -> Option<&'static str> {
        let first = self.seen.insert(key);
        self.tt(first)
    }
    fn location(&self, ev: &StoredEventRef, site: &str) -> String {
        if self.central_nodes.contains(&ev.event.id.node.to_string()) {
            LOC_CENTRAL.to_string()
        } else {
            loc_oid(site)
        }
    }
}

type StoredEventRef = ecrf_store::StoredEvent;

impl Ecrf {
    /// Writes the ODM 1.3.2 file of every subject this user may export: a Transactional file
    /// with every change of every value and its AuditRecord, and the signatures.
    pub fn export_odm(&mut self, s: &mut Session, out: &Path) -> Result<ExportSummary> {
        self.export_odm_as(s, out, OdmKind::Transactional)
    }

    pub fn export_odm_as(
        &mut self,
        s: &mut Session,
        out: &Path,
        kind: OdmKind,
    ) -> Result<ExportSummary> {
        let site = self.export_scope(s)?;
        check_new_output(out)?;
        let subjects = self.export_subjects(site.as_deref())?;
        let partial = partial_path(out);
        let file = File::create(&partial).map_err(|e| io_err(&partial, e))?;
        let mut x = Xml {
            w: Writer::new_with_indent(BufWriter::with_capacity(1 << 16, file), b' ', 1),
            path: partial.clone(),
        };
        let result = self.write_odm(&mut x, kind, site.as_deref(), &subjects);
        let result = result.and_then(|sum| {
            let mut inner = x.w.into_inner();
            inner.flush().map_err(|e| io_err(&partial, e))?;
            inner
                .get_ref()
                .sync_all()
                .map_err(|e| io_err(&partial, e))?;
            Ok(sum)
        });
        match result {
            Ok(mut sum) => {
                finish_partial(&partial, out)?;
                sum.written = out.display().to_string();
                sum.bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
                Ok(sum)
            }
            Err(e) => {
                let _ = remove_any(&partial);
                Err(e)
            }
        }
    }

    /// The definition versions the exported data were captured under, in publication order.
    pub(crate) fn versions_used(&self, site: Option<&str>) -> Result<Vec<String>> {
        let conn = self.store.conn();
        let mut used = BTreeSet::new();
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT f.definition FROM forms f JOIN subjects s ON s.subject = f.subject \
                 WHERE ?1 IS NULL OR s.site = ?1 \
                 UNION SELECT DISTINCT definition FROM subjects WHERE ?1 IS NULL OR site = ?1",
            )
            .map_err(ecrf_store::StoreError::from)?;
        let rows = stmt
            .query_map([site], |r| r.get::<_, String>(0))
            .map_err(ecrf_store::StoreError::from)?;
        for r in rows {
            used.insert(r.map_err(ecrf_store::StoreError::from)?);
        }
        let mut order: Vec<String> = vec![ecrf_core::definition::builtin().study.version];
        for row in self.store.definitions()? {
            if !order.contains(&row.version) {
                order.push(row.version);
            }
        }
        let mut out: Vec<String> = order.into_iter().filter(|v| used.contains(v)).collect();
        for v in used {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        if out.is_empty() {
            out.push(self.current.clone());
        }
        Ok(out)
    }

    fn write_odm(
        &self,
        x: &mut Xml,
        kind: OdmKind,
        site: Option<&str>,
        subjects: &[SubjectRow],
    ) -> Result<ExportSummary> {
        let node = self.store.node()?;
        let versions = self.versions_used(site)?;
        let mut defs = BTreeMap::new();
        for v in &versions {
            defs.insert(v.clone(), self.definition_version(v)?);
        }
        let study = defs
            .get(&versions[0])
            .map(|d| d.study.clone())
            .ok_or_else(|| ServiceError::Internal("no definition".into()))?;
        let now = self.now_str();
        let mut central_nodes = HashSet::new();
        if node.role == NodeRole::Central {
            central_nodes.insert(node.node_id.to_string());
        }
        for n in self.store.nodes()? {
            if n.role == "central" {
                central_nodes.insert(n.node);
            }
        }
        let mut cx = Ctx {
            kind,
            defs: defs.clone(),
            central_nodes,
            seen: HashSet::new(),
            counts: Counts::default(),
            today: self.today(),
        };

        x.ev(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let file_oid = format!(
            "ECRF.{}.{}.{}",
            study.id,
            node.node_id,
            now.replace([':', '-', '.'], "")
        );
        let originator = format!(
            "{} node {} ({})",
            node.role.as_str(),
            node.site.as_deref().unwrap_or("central"),
            node.node_id
        );
        let file_type = match kind {
            OdmKind::Transactional => "Transactional",
            OdmKind::Snapshot => "Snapshot",
        };
        let granularity = if site.is_some() || node.role == NodeRole::Site {
            "SingleSite"
        } else {
            "All"
        };
        let description = format!(
            "{} ({}): {}",
            study.id,
            site.or(node.site.as_deref()).unwrap_or("all sites"),
            match kind {
                OdmKind::Transactional => "every change of every value, with its audit record",
                OdmKind::Snapshot => "current values",
            }
        );
        x.start(
            "ODM",
            &[
                ("xmlns", ODM_NS),
                ("Description", &description),
                ("FileType", file_type),
                ("Granularity", granularity),
                ("FileOID", &file_oid),
                ("CreationDateTime", &now),
                ("AsOfDateTime", &now),
                ("ODMVersion", "1.3.2"),
                ("Originator", &originator),
                ("SourceSystem", "ecrf"),
                ("SourceSystemVersion", env!("CARGO_PKG_VERSION")),
            ],
        )?;

        // ---- Study: global variables, units, one MetaDataVersion per definition version.
        x.start("Study", &[("OID", &study.id)])?;
        x.start("GlobalVariables", &[])?;
        x.leaf("StudyName", &[], &study.id)?;
        x.leaf(
            "StudyDescription",
            &[],
            &format!("{} / {}", study.name.en, study.name.zh),
        )?;
        x.leaf(
            "ProtocolName",
            &[],
            study.protocol.as_deref().unwrap_or(&study.id),
        )?;
        x.end("GlobalVariables")?;
        let def_list: Vec<&Definition> = versions
            .iter()
            .filter_map(|v| defs.get(v).copied())
            .collect();
        let units = unit_oids(&def_list);
        if !units.is_empty() {
            x.start("BasicDefinitions", &[])?;
            for (u, oid) in &units {
                x.start("MeasurementUnit", &[("OID", oid), ("Name", u)])?;
                x.start("Symbol", &[])?;
                x.leaf("TranslatedText", &[("xml:lang", "en")], u)?;
                x.end("Symbol")?;
                x.end("MeasurementUnit")?;
            }
            x.end("BasicDefinitions")?;
        }
        for d in &def_list {
            write_metadata(x, d, &units)?;
        }
        x.end("Study")?;

        // ---- AdminData: users (every actor), a location per site, signature meanings.
        let pubdates = self.publication_dates()?;
        let effective = |v: &str| {
            pubdates
                .get(v)
                .cloned()
                .unwrap_or_else(|| now[..10].to_string())
        };
        x.start("AdminData", &[("StudyOID", &study.id)])?;
        let mut sites: BTreeSet<String> = subjects.iter().map(|r| r.site.clone()).collect();
        if let Some(s) = &node.site {
            sites.insert(s.clone());
        }
        for u in self.export_users(site)? {
            let oid = user_oid(&u.user_id);
            let user_type = match u.role.as_str() {
                "investigator" => "Investigator",
                "data-manager" | "monitor" => "Sponsor",
                _ => "Other",
            };
            x.start("User", &[("OID", &oid), ("UserType", user_type)])?;
            x.leaf("LoginName", &[], &u.username)?;
            x.leaf("DisplayName", &[], &format!("{} ({})", u.full_name, u.role))?;
            x.leaf("FullName", &[], &u.full_name)?;
            let loc = match &u.site {
                Some(s) => loc_oid(s),
                None => LOC_CENTRAL.to_string(),
            };
            x.empty("LocationRef", &[("LocationOID", &loc)])?;
            x.end("User")?;
        }
        let mut locations: Vec<(String, String, &str)> = sites
            .iter()
            .map(|s| (loc_oid(s), format!("Site {s}"), "Site"))
            .collect();
        locations.push((
            LOC_CENTRAL.to_string(),
            "Central data management".into(),
            "Sponsor",
        ));
        for (oid, name, kind) in &locations {
            x.start(
                "Location",
                &[("OID", oid), ("Name", name), ("LocationType", kind)],
            )?;
            for v in &versions {
                x.empty(
                    "MetaDataVersionRef",
                    &[
                        ("StudyOID", &study.id),
                        ("MetaDataVersionOID", &mdv_oid(v)),
                        ("EffectiveDate", &effective(v)),
                    ],
                )?;
            }
            x.end("Location")?;
        }
        for m in [
            SignatureMeaning::Authorship,
            SignatureMeaning::Review,
            SignatureMeaning::Approval,
        ] {
            let (oid, meaning) = meaning_def(m);
            x.start(
                "SignatureDef",
                &[("OID", oid), ("Methodology", "Electronic")],
            )?;
            x.leaf("Meaning", &[], meaning)?;
            x.leaf("LegalReason", &[], LEGAL_REASON)?;
            x.end("SignatureDef")?;
        }
        x.end("AdminData")?;

        // ---- ClinicalData: one per definition version, subjects one at a time.
        for v in &versions {
            x.start(
                "ClinicalData",
                &[("StudyOID", &study.id), ("MetaDataVersionOID", &mdv_oid(v))],
            )?;
            for row in subjects {
                let sid = SubjectId::parse(&row.subject)?;
                let forms: Vec<FormState> = self.store.subject_forms(&sid)?;
                let here = forms.iter().any(|f| f.definition == *v);
                if !(here || forms.is_empty() && row.definition == *v) {
                    continue;
                }
                let events = self.store.events(&EventFilter {
                    subject: Some(row.subject.clone()),
                    ..Default::default()
                })?;
                self.write_subject(x, &mut cx, row, &sid, v, &forms, &events)?;
            }
            x.end("ClinicalData")?;
        }
        x.end("ODM")?;
        let c = &cx.counts;
        Ok(ExportSummary {
            written: String::new(),
            file_type: file_type.to_string(),
            bytes: 0,
            subjects: c.subjects,
            forms: c.forms,
            item_data: c.item_data,
            audit_records: c.audit_records,
            signatures: c.signatures,
            metadata_versions: versions,
        })
    }

    /// The date each definition version was published (its `definition_published` event).
    fn publication_dates(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .store
            .conn()
            .prepare("SELECT payload, captured_at FROM events WHERE kind = 'definition_published' ORDER BY rowid")
            .map_err(ecrf_store::StoreError::from)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(ecrf_store::StoreError::from)?;
        let mut out = HashMap::new();
        for r in rows {
            let (payload, at) = r.map_err(ecrf_store::StoreError::from)?;
            if let Ok(Payload::DefinitionPublished { version, .. }) = serde_json::from_str(&payload)
            {
                out.entry(version)
                    .or_insert_with(|| at.get(..10).unwrap_or(&at).to_string());
            }
        }
        Ok(out)
    }

    /// Every user who wrote an event about an exported subject, with their name and role as
    /// published (else as known locally).
    pub(crate) fn export_users(&self, site: Option<&str>) -> Result<Vec<ExportUser>> {
        let conn = self.store.conn();
        let mut known: HashMap<String, ExportUser> = HashMap::new();
        for u in self.store.users()? {
            known.insert(
                u.user_id.clone(),
                ExportUser {
                    user_id: u.user_id,
                    username: u.username,
                    full_name: u.full_name,
                    role: u.role,
                    site: self.store.node()?.site,
                },
            );
        }
        let mut stmt = conn
            .prepare("SELECT payload FROM events WHERE kind = 'user_published' ORDER BY rowid")
            .map_err(ecrf_store::StoreError::from)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(ecrf_store::StoreError::from)?;
        for r in rows {
            let payload = r.map_err(ecrf_store::StoreError::from)?;
            if let Ok(Payload::UserPublished {
                user_id,
                username,
                full_name,
                role,
                site,
                ..
            }) = serde_json::from_str(&payload)
            {
                known.insert(
                    user_id.to_string(),
                    ExportUser {
                        user_id: user_id.to_string(),
                        username,
                        full_name,
                        role: role.as_str().to_string(),
                        site,
                    },
                );
            }
        }
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT e.user_id, e.username FROM events e JOIN subjects s ON s.subject = e.subject \
                 WHERE ?1 IS NULL OR s.site = ?1 ORDER BY e.username, e.user_id",
            )
            .map_err(ecrf_store::StoreError::from)?;
        let rows = stmt
            .query_map([site], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(ecrf_store::StoreError::from)?;
        let mut out = Vec::new();
        for r in rows {
            let (id, username) = r.map_err(ecrf_store::StoreError::from)?;
            out.push(known.remove(&id).unwrap_or(ExportUser {
                user_id: id,
                full_name: username.clone(),
                username,
                role: "unknown".into(),
                site: None,
            }));
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_subject(
        &self,
        x: &mut Xml,
        cx: &mut Ctx,
        row: &SubjectRow,
        sid: &SubjectId,
        version: &str,
        forms: &[FormState],
        events: &[StoredEventRef],
    ) -> Result<()> {
        let def = *cx
            .defs
            .get(version)
            .ok_or_else(|| ServiceError::NotFound(format!("definition version {version}")))?;
        let version_of: HashMap<String, &str> = forms
            .iter()
            .map(|f| (f.form.key(), f.definition.as_str()))
            .collect();
        // Signatures: each goes with the version block of the first form it covers.
        let mut sigs: Vec<&StoredEventRef> = events
            .iter()
            .filter(|e| match &e.event.payload {
                Payload::Signed { forms: covered, .. } => {
                    let v = covered
                        .first()
                        .and_then(|k| version_of.get(k).copied())
                        .unwrap_or(row.definition.as_str());
                    v == version
                }
                _ => false,
            })
            .collect();
        if cx.kind == OdmKind::Snapshot {
            // The latest signature of each scope.
            let mut latest: BTreeMap<String, &StoredEventRef> = BTreeMap::new();
            for e in sigs {
                if let Payload::Signed { scope, .. } = &e.event.payload {
                    latest.insert(scope.key(), e);
                }
            }
            sigs = latest.into_values().collect();
        }
        let sig_of = |level: &str, key: &str| -> Option<&StoredEventRef> {
            sigs.iter().copied().find(|e| match &e.event.payload {
                Payload::Signed { scope, .. } => {
                    scope.key() == key
                        && matches!(
                            (level, scope),
                            ("form", Scope::Form(_))
                                | ("event", Scope::Event { .. })
                                | ("subject", Scope::Subject { .. })
                        )
                }
                _ => false,
            })
        };

        let mut mine: Vec<&FormState> = forms.iter().filter(|f| f.definition == version).collect();
        let ev_index = |e: &str| {
            def.events
                .iter()
                .position(|d| d.id == e)
                .unwrap_or(usize::MAX)
        };
        let form_index = |f: &str| {
            def.forms
                .iter()
                .position(|d| d.id == f)
                .unwrap_or(usize::MAX)
        };
        mine.sort_by(|a, b| {
            let ka = (
                ev_index(&a.form.event),
                a.form.event_repeat,
                form_index(&a.form.form),
                a.form.form_repeat,
            );
            let kb = (
                ev_index(&b.form.event),
                b.form.event_repeat,
                form_index(&b.form.form),
                b.form.form_repeat,
            );
            ka.cmp(&kb)
        });

        let first = !cx.seen.contains(&row.subject);
        let tt = cx.container(row.subject.clone());
        let mut attrs = vec![("SubjectKey", row.subject.as_str())];
        if let Some(t) = tt {
            attrs.push(("TransactionType", t));
        }
        x.start("SubjectData", &attrs)?;
        if first {
            cx.counts.subjects += 1;
            if let Some(e) = events
                .iter()
                .find(|e| matches!(e.event.payload, Payload::SubjectEnrolled { .. }))
            {
                audit_record(x, cx, e, &row.site, None, false)?;
            }
        }
        if cx.kind == OdmKind::Snapshot {
            if let Some(e) = sig_of("subject", &row.subject) {
                signature(x, cx, e, &row.site)?;
            }
        }
        x.empty("SiteRef", &[("LocationOID", &loc_oid(&row.site))])?;

        let mut i = 0;
        while i < mine.len() {
            let ev = (&mine[i].form.event, mine[i].form.event_repeat);
            let mut j = i;
            while j < mine.len() && (&mine[j].form.event, mine[j].form.event_repeat) == ev {
                j += 1;
            }
            let ev_key = format!("{}/{}.{}", row.subject, ev.0, ev.1);
            let first_ev = !cx.seen.contains(&ev_key);
            let tt = cx.container(ev_key.clone());
            let rep = ev.1.to_string();
            let oid = se_oid(ev.0);
            let mut attrs = vec![
                ("StudyEventOID", oid.as_str()),
                ("StudyEventRepeatKey", rep.as_str()),
            ];
            if let Some(t) = tt {
                attrs.push(("TransactionType", t));
            }
            x.start("StudyEventData", &attrs)?;
            if cx.kind == OdmKind::Snapshot && first_ev {
                if let Some(e) = sig_of("event", &ev_key) {
                    signature(x, cx, e, &row.site)?;
                }
            }
            for fs in &mine[i..j] {
                let sig = if cx.kind == OdmKind::Snapshot {
                    sig_of("form", &fs.form.key())
                } else {
                    None
                };
                self.write_form(x, cx, def, sid, &row.site, fs, events, sig)?;
            }
            x.end("StudyEventData")?;
            i = j;
        }

        // Transactional: each signature is a transaction on the element it covers.
        let mut subject_sigs = Vec::new();
        if cx.kind == OdmKind::Transactional {
            for e in &sigs {
                let Payload::Signed { scope, .. } = &e.event.payload else {
                    continue;
                };
                match scope {
                    Scope::Form(f) => {
                        let rep = f.event_repeat.to_string();
                        let frep = f.form_repeat.to_string();
                        x.start(
                            "StudyEventData",
                            &[
                                ("StudyEventOID", &se_oid(&f.event)),
                                ("StudyEventRepeatKey", &rep),
                                ("TransactionType", "Context"),
                            ],
                        )?;
                        x.start(
                            "FormData",
                            &[
                                ("FormOID", &f_oid(&f.form)),
                                ("FormRepeatKey", &frep),
                                ("TransactionType", "Update"),
                            ],
                        )?;
                        signature(x, cx, e, &row.site)?;
                        x.end("FormData")?;
                        x.end("StudyEventData")?;
                    }
                    Scope::Event {
                        event,
                        event_repeat,
                        ..
                    } => {
                        let rep = event_repeat.to_string();
                        x.start(
                            "StudyEventData",
                            &[
                                ("StudyEventOID", &se_oid(event)),
                                ("StudyEventRepeatKey", &rep),
                                ("TransactionType", "Update"),
                            ],
                        )?;
                        signature(x, cx, e, &row.site)?;
                        x.end("StudyEventData")?;
                    }
                    Scope::Subject { .. } => subject_sigs.push(*e),
                    Scope::Study => {}
                }
            }
        }
        x.end("SubjectData")?;
        for e in subject_sigs {
            x.start(
                "SubjectData",
                &[("SubjectKey", &row.subject), ("TransactionType", "Update")],
            )?;
            signature(x, cx, e, &row.site)?;
            x.end("SubjectData")?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_form(
        &self,
        x: &mut Xml,
        cx: &mut Ctx,
        def: &Definition,
        sid: &SubjectId,
        site: &str,
        fs: &FormState,
        events: &[StoredEventRef],
        sig: Option<&StoredEventRef>,
    ) -> Result<()> {
        let f: &FormRef = &fs.form;
        let form = def.form(&f.form);
        let frep = f.form_repeat.to_string();
        let mut attrs = vec![("FormOID", f_oid(&f.form)), ("FormRepeatKey", frep)];
        if let Some(t) = cx.container(f.key()) {
            attrs.push(("TransactionType", t.to_string()));
        }
        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        x.start("FormData", &attrs)?;
        cx.counts.forms += 1;
        if let Some(e) = sig {
            signature(x, cx, e, site)?;
        }
        let group_order: Vec<String> = form
            .map(|fd| groups_of(fd).into_iter().map(|(g, _)| g).collect())
            .unwrap_or_default();
        let g_index = |g: &str| {
            group_order
                .iter()
                .position(|x| x == g)
                .unwrap_or(usize::MAX)
        };
        let i_index = |i: &str| {
            form.and_then(|fd| fd.items.iter().position(|x| x.id == i))
                .unwrap_or(usize::MAX)
        };
        let kind_of = |i: &str| form.and_then(|fd| fd.item(i)).map(|d| d.kind);
        // Current values with the event that set each.
        let current = self.store.form_values(f)?;
        let by_id: HashMap<String, &StoredEventRef> =
            events.iter().map(|e| (e.event.id.to_string(), e)).collect();

        // (group order, group, repeat) → (item order, item) → versions
        type Key = (usize, String, u32);
        let mut rows: BTreeMap<Key, BTreeMap<(usize, String), Vec<Version>>> = BTreeMap::new();
        match cx.kind {
            OdmKind::Transactional => {
                for e in events {
                    let (item, value, reason, resolution) = match &e.event.payload {
                        Payload::ValueSet {
                            item, new, reason, ..
                        } => (item, new, reason.clone(), false),
                        Payload::ConflictResolved {
                            item,
                            chosen,
                            reason,
                            ..
                        } => (item, chosen, Some(reason.clone()), true),
                        _ => continue,
                    };
                    if item.form != *f {
                        continue;
                    }
                    rows.entry((g_index(&item.group), item.group.clone(), item.group_repeat))
                        .or_default()
                        .entry((i_index(&item.item), item.item.clone()))
                        .or_default()
                        .push(Version {
                            value: odm_value(kind_of(&item.item), value),
                            event: Some(e),
                            reason,
                            resolution,
                        });
                }
                // In an unresolved conflict the version shown goes last: replaying the file
                // gives the current value.
                for (slot, _, id) in &current {
                    let id = id.to_string();
                    if let Some(vs) = rows
                        .get_mut(&(g_index(&slot.group), slot.group.clone(), slot.repeat))
                        .and_then(|r| r.get_mut(&(i_index(&slot.item), slot.item.clone())))
                    {
                        if let Some(p) = vs
                            .iter()
                            .position(|v| v.event.is_some_and(|e| e.event.id.to_string() == id))
                        {
                            let shown = vs.remove(p);
                            vs.push(shown);
                        }
                    }
                }
            }
            OdmKind::Snapshot => {
                for (slot, value, id) in &current {
                    if value.is_null() {
                        continue;
                    }
                    let e = by_id.get(&id.to_string()).copied();
                    let (reason, resolution) = match e.map(|e| &e.event.payload) {
                        Some(Payload::ValueSet { reason, .. }) => (reason.clone(), false),
                        Some(Payload::ConflictResolved { reason, .. }) => {
                            (Some(reason.clone()), true)
                        }
                        _ => (None, false),
                    };
                    rows.entry((g_index(&slot.group), slot.group.clone(), slot.repeat))
                        .or_default()
                        .entry((i_index(&slot.item), slot.item.clone()))
                        .or_default()
                        .push(Version {
                            value: odm_value(kind_of(&slot.item), value),
                            event: e,
                            reason,
                            resolution,
                        });
                }
            }
        }
        for ((_, group, repeat), items) in &rows {
            let rep = repeat.to_string();
            let oid = ig_oid(&f.form, group);
            let mut attrs = vec![
                ("ItemGroupOID", oid.as_str()),
                ("ItemGroupRepeatKey", rep.as_str()),
            ];
            if let Some(t) = cx.tt(true) {
                attrs.push(("TransactionType", t));
            }
            x.start("ItemGroupData", &attrs)?;
            for ((_, item), versions) in items {
                item_history(x, cx, &it_oid(&f.form, item), versions, site)?;
            }
            x.end("ItemGroupData")?;
        }

        // Derived values: computed now from current values, then the overrides.
        if let Some(fd) = form.filter(|fd| !fd.derived.is_empty()) {
            let values = self.store.form_value_map(f)?;
            let view = StoreView {
                store: &self.store,
                subject: sid,
                today: cx.today.clone(),
            };
            let derived = derive_form(def, fd, &values, &view);
            let overrides_in_force: HashMap<String, Json> = self
                .store
                .overrides(f)?
                .into_iter()
                .map(|o| (o.derivation, o.value))
                .collect();
            let mut out: Vec<(String, Vec<Version>)> = Vec::new();
            for d in &derived {
                let computed = match &d.value {
                    Json::Null => OdmVal::Null(None),
                    v @ (Json::Object(_) | Json::Array(_)) => {
                        let _ = v;
                        OdmVal::Value(d.display.en.clone())
                    }
                    v => odm_value(None, v),
                };
                let ovs: Vec<&StoredEventRef> = events
                    .iter()
                    .filter(|e| matches!(&e.event.payload, Payload::DerivedOverridden { form, derivation, .. } if form == f && *derivation == d.id))
                    .collect();
                let mut versions = Vec::new();
                match cx.kind {
                    OdmKind::Transactional => {
                        if computed != OdmVal::Null(None) {
                            versions.push(Version {
                                value: computed.clone(),
                                event: None,
                                reason: None,
                                resolution: false,
                            });
                        }
                        let n = ovs.len();
                        for (k, e) in ovs.into_iter().enumerate() {
                            let Payload::DerivedOverridden {
                                value,
                                derived,
                                reason,
                                ..
                            } = &e.event.payload
                            else {
                                continue;
                            };
                            let v = if !value.is_null() {
                                odm_value(None, value)
                            } else if k + 1 == n {
                                computed.clone()
                            } else {
                                odm_value(None, derived)
                            };
                            versions.push(Version {
                                value: v,
                                event: Some(e),
                                reason: Some(reason.clone()),
                                resolution: false,
                            });
                        }
                    }
                    OdmKind::Snapshot => match overrides_in_force.get(&d.id) {
                        Some(v) => {
                            let e = ovs.into_iter().filter(|e| matches!(&e.event.payload, Payload::DerivedOverridden { value, .. } if value == v)).max_by_key(|e| (e.event.hlc.0, e.event.id.node));
                            let reason = match e.map(|e| &e.event.payload) {
                                Some(Payload::DerivedOverridden { reason, .. }) => {
                                    Some(reason.clone())
                                }
                                _ => None,
                            };
                            versions.push(Version {
                                value: odm_value(None, v),
                                event: e,
                                reason,
                                resolution: false,
                            });
                        }
                        None if computed != OdmVal::Null(None) => versions.push(Version {
                            value: computed,
                            event: None,
                            reason: None,
                            resolution: false,
                        }),
                        None => {}
                    },
                }
                if !versions.is_empty() {
                    out.push((d.id.clone(), versions));
                }
            }
            if !out.is_empty() {
                let oid = ig_oid(&f.form, DERIVED_GROUP);
                let mut attrs = vec![("ItemGroupOID", oid.as_str()), ("ItemGroupRepeatKey", "1")];
                if let Some(t) = cx.tt(true) {
                    attrs.push(("TransactionType", t));
                }
                x.start("ItemGroupData", &attrs)?;
                for (id, versions) in &out {
                    item_history(x, cx, &it_oid(&f.form, id), versions, site)?;
                }
                x.end("ItemGroupData")?;
            }
        }
        x.end("FormData")
    }
}

/// A user as the export names them.
pub(crate) struct ExportUser {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub site: Option<String>,
}

/// One `ItemData` per version; transaction types follow whether the item holds a value.
fn item_history(
    x: &mut Xml,
    cx: &mut Ctx,
    oid: &str,
    versions: &[Version],
    site: &str,
) -> Result<()> {
    let mut present = false;
    for v in versions {
        let tt = match (cx.kind, &v.value) {
            (OdmKind::Snapshot, _) => None,
            (_, OdmVal::Null(None)) if present => Some("Remove"),
            (_, _) if present => Some("Update"),
            _ => Some("Insert"),
        };
        let mut attrs: Vec<(&str, &str)> = vec![("ItemOID", oid)];
        if let Some(t) = tt {
            attrs.push(("TransactionType", t));
        }
        let removed = tt == Some("Remove");
        match &v.value {
            OdmVal::Value(s) => attrs.push(("Value", s)),
            OdmVal::Null(_) if !removed => attrs.push(("IsNull", "Yes")),
            OdmVal::Null(_) => {}
        }
        present = !removed;
        cx.counts.item_data += 1;
        let special = match &v.value {
            OdmVal::Null(Some(s)) => Some(s),
            _ => None,
        };
        if v.event.is_none() && special.is_none() {
            x.empty("ItemData", &attrs)?;
            continue;
        }
        x.start("ItemData", &attrs)?;
        if let Some(e) = v.event {
            audit_record(x, cx, e, site, v.reason.as_deref(), v.resolution)?;
        }
        if let Some((flag, comment)) = special {
            x.start("Annotation", &[("SeqNum", "1")])?;
            if !comment.is_empty() {
                x.leaf("Comment", &[("SponsorOrSite", "Site")], comment)?;
            }
            x.start("Flag", &[])?;
            x.leaf("FlagValue", &[("CodeListOID", SPECIAL_CODELIST)], flag)?;
            x.end("Flag")?;
            x.end("Annotation")?;
        }
        x.end("ItemData")?;
    }
    Ok(())
}

fn audit_record(
    x: &mut Xml,
    cx: &mut Ctx,
    e: &StoredEventRef,
    site: &str,
    reason: Option<&str>,
    resolution: bool,
) -> Result<()> {
    let attrs: &[(&str, &str)] = if resolution {
        &[("EditPoint", "DataManagement")]
    } else {
        &[]
    };
    x.start("AuditRecord", attrs)?;
    x.empty(
        "UserRef",
        &[("UserOID", &user_oid(&e.event.actor.user_id.to_string()))],
    )?;
    x.empty("LocationRef", &[("LocationOID", &cx.location(e, site))])?;
    x.leaf("DateTimeStamp", &[], &e.event.captured_at)?;
    if let Some(r) = reason.filter(|r| !r.is_empty()) {
        x.leaf("ReasonForChange", &[], r)?;
    }
    x.leaf("SourceID", &[], &e.event.id.to_string())?;
    x.end("AuditRecord")?;
    cx.counts.audit_records += 1;
    Ok(())
}

fn signature(x: &mut Xml, cx: &mut Ctx, e: &StoredEventRef, site: &str) -> Result<()> {
    let Payload::Signed {
        signature,
        meaning,
        content_hash,
        ..
    } = &e.event.payload
    else {
        return Ok(());
    };
    let id = format!("SIG.{signature}");
    x.start("Signature", &[("ID", &id)])?;
    x.empty(
        "UserRef",
        &[("UserOID", &user_oid(&e.event.actor.user_id.to_string()))],
    )?;
    x.empty("LocationRef", &[("LocationOID", &cx.location(e, site))])?;
    x.empty("SignatureRef", &[("SignatureOID", meaning_def(*meaning).0)])?;
    x.leaf("DateTimeStamp", &[], &e.event.captured_at)?;
    x.leaf(
        "CryptoBindingManifest",
        &[],
        &format!("sha256:{content_hash}"),
    )?;
    x.end("Signature")?;
    cx.counts.signatures += 1;
    Ok(())
}

// ---------------------------------------------------------------- metadata

fn write_metadata(x: &mut Xml, def: &Definition, units: &BTreeMap<String, String>) -> Result<()> {
    let v = &def.study.version;
    x.start(
        "MetaDataVersion",
        &[
            ("OID", &mdv_oid(v)),
            ("Name", &format!("{} definition {v}", def.study.id)),
            (
                "Description",
                &format!("Study definition version {v}, sha256 {}", def.sha256),
            ),
        ],
    )?;
    x.start("Protocol", &[])?;
    x.text("Description", &def.study.name)?;
    for (k, e) in def.events.iter().enumerate() {
        let mandatory = if e.anchor == ecrf_core::definition::Anchor::None {
            "No"
        } else {
            "Yes"
        };
        x.empty(
            "StudyEventRef",
            &[
                ("StudyEventOID", &se_oid(&e.id)),
                ("OrderNumber", &(k + 1).to_string()),
                ("Mandatory", mandatory),
            ],
        )?;
    }
    x.end("Protocol")?;
    for e in &def.events {
        let (kind, category) = match (e.anchor, e.repeating) {
            (ecrf_core::definition::Anchor::Enrolment, _) => ("Scheduled", "anchored on enrolment"),
            (ecrf_core::definition::Anchor::Infusion, _) => {
                ("Scheduled", "anchored on the CAR-T infusion")
            }
            (_, true) => ("Unscheduled", "unscheduled"),
            (_, false) => ("Common", "log or end of study"),
        };
        x.start(
            "StudyEventDef",
            &[
                ("OID", &se_oid(&e.id)),
                ("Name", &e.name.en),
                ("Repeating", yes_no(e.repeating)),
                ("Type", kind),
                ("Category", category),
            ],
        )?;
        let window = match (e.day, e.window) {
            (Some(d), Some([lo, hi])) => format!(" (day {d}, window {lo}…{hi})"),
            (Some(d), None) => format!(" (day {d})"),
            _ => String::new(),
        };
        x.translated(
            "Description",
            &format!("{}{window}", e.name.en),
            &format!("{}{window}", e.name.zh),
        )?;
        for (k, f) in e.forms.iter().enumerate() {
            x.empty(
                "FormRef",
                &[
                    ("FormOID", &f_oid(f)),
                    ("OrderNumber", &(k + 1).to_string()),
                    ("Mandatory", "Yes"),
                ],
            )?;
        }
        x.end("StudyEventDef")?;
    }
    for f in &def.forms {
        x.start(
            "FormDef",
            &[
                ("OID", &f_oid(&f.id)),
                ("Name", &f.name.en),
                ("Repeating", yes_no(f.repeating)),
            ],
        )?;
        x.text("Description", &f.name)?;
        let mut groups: Vec<String> = groups_of(f).into_iter().map(|(g, _)| g).collect();
        if !f.derived.is_empty() {
            groups.push(DERIVED_GROUP.to_string());
        }
        for (k, g) in groups.iter().enumerate() {
            x.empty(
                "ItemGroupRef",
                &[
                    ("ItemGroupOID", &ig_oid(&f.id, g)),
                    ("OrderNumber", &(k + 1).to_string()),
                    ("Mandatory", yes_no(g == MAIN_GROUP)),
                ],
            )?;
        }
        x.end("FormDef")?;
    }
    for f in &def.forms {
        for (g, items) in groups_of(f) {
            let gd = f.group(&g);
            let repeating = gd.as_ref().is_some_and(|g| g.repeating);
            let name = match gd.as_ref().map(|g| &g.name).filter(|n| !n.en.is_empty()) {
                Some(n) => n.clone(),
                None => Text {
                    en: format!("{} — {}", f.name.en, g),
                    zh: format!("{} — {}", f.name.zh, g),
                },
            };
            x.start(
                "ItemGroupDef",
                &[
                    ("OID", &ig_oid(&f.id, &g)),
                    ("Name", &name.en),
                    ("Repeating", yes_no(repeating)),
                ],
            )?;
            x.text("Description", &name)?;
            for (k, it) in items.iter().enumerate() {
                let order = (k + 1).to_string();
                let item_oid = it_oid(&f.id, &it.id);
                let cond = it.when.as_ref().map(|_| format!("CD.{}.{}", f.id, it.id));
                let mut attrs = vec![
                    ("ItemOID", item_oid.as_str()),
                    ("OrderNumber", order.as_str()),
                    ("Mandatory", yes_no(it.required && it.when.is_none())),
                ];
                if let Some(c) = &cond {
                    attrs.push(("CollectionExceptionConditionOID", c));
                }
                x.empty("ItemRef", &attrs)?;
            }
            x.end("ItemGroupDef")?;
        }
        if !f.derived.is_empty() {
            x.start(
                "ItemGroupDef",
                &[
                    ("OID", &ig_oid(&f.id, DERIVED_GROUP)),
                    ("Name", &format!("{} — derived values", f.name.en)),
                    ("Repeating", "No"),
                    ("Origin", "Derived"),
                ],
            )?;
            x.translated(
                "Description",
                &format!("{} — derived values", f.name.en),
                &format!("{} — 派生值", f.name.zh),
            )?;
            for (k, d) in f.derived.iter().enumerate() {
                x.empty(
                    "ItemRef",
                    &[
                        ("ItemOID", &it_oid(&f.id, &d.id)),
                        ("OrderNumber", &(k + 1).to_string()),
                        ("Mandatory", "No"),
                        ("MethodOID", &format!("MT.{}.{}", f.id, d.id)),
                    ],
                )?;
            }
            x.end("ItemGroupDef")?;
        }
    }
    for f in &def.forms {
        for it in &f.items {
            let mut attrs = vec![
                ("OID", it_oid(&f.id, &it.id)),
                ("Name", it.id.clone()),
                ("DataType", data_type(it).to_string()),
            ];
            let length = match it.kind {
                ItemType::Text | ItemType::Note => it.max_length,
                ItemType::Choice => {
                    it.codelist
                        .as_ref()
                        .and_then(|c| def.codelist(c))
                        .and_then(|c| {
                            c.choices
                                .iter()
                                .map(|ch| ch.code.chars().count() as u32)
                                .max()
                        })
                }
                _ => None,
            };
            if let Some(l) = length.filter(|l| *l > 0) {
                attrs.push(("Length", l.to_string()));
            }
            if let (ItemType::Decimal, Some(d)) = (it.kind, it.digits) {
                attrs.push(("SignificantDigits", d.to_string()));
            }
            let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            x.start("ItemDef", &attrs)?;
            if let Some(h) = &it.help {
                x.text("Description", h)?;
            }
            x.text("Question", &it.label)?;
            if let Some(oid) = it.unit.as_ref().and_then(|u| units.get(u)) {
                x.empty("MeasurementUnitRef", &[("MeasurementUnitOID", oid)])?;
            }
            for (range, hardness) in [(it.range, "Hard"), (it.soft_range, "Soft")] {
                if let Some([lo, hi]) = range {
                    for (cmp, val) in [("GE", lo), ("LE", hi)] {
                        x.start("RangeCheck", &[("Comparator", cmp), ("SoftHard", hardness)])?;
                        x.leaf("CheckValue", &[], &num(val))?;
                        x.end("RangeCheck")?;
                    }
                }
            }
            if let Some(c) = &it.codelist {
                x.empty("CodeListRef", &[("CodeListOID", &format!("CL.{c}"))])?;
            }
            let mut special: Vec<String> = Vec::new();
            if it.not_done {
                special.push("NOT_DONE".into());
            }
            special.extend(it.codes.iter().cloned());
            if it.blq {
                special.push("BLQ".into());
            }
            if !special.is_empty() {
                x.empty(
                    "Alias",
                    &[
                        ("Context", "eCRF special values (ECRF.CL.SPECIAL)"),
                        ("Name", &special.join(" ")),
                    ],
                )?;
            }
            x.end("ItemDef")?;
        }
        for d in &f.derived {
            x.start(
                "ItemDef",
                &[
                    ("OID", &it_oid(&f.id, &d.id)),
                    ("Name", &format!("{} (derived)", d.id)),
                    ("DataType", "text"),
                    ("Origin", "Derived"),
                ],
            )?;
            x.text("Question", &d.label)?;
            if let Some(oid) = d.unit.as_ref().and_then(|u| units.get(u)) {
                x.empty("MeasurementUnitRef", &[("MeasurementUnitOID", oid)])?;
            }
            x.end("ItemDef")?;
        }
    }
    for c in &def.codelists {
        x.start(
            "CodeList",
            &[
                ("OID", &format!("CL.{}", c.id)),
                ("Name", &c.id),
                ("DataType", "text"),
            ],
        )?;
        for (k, ch) in c.choices.iter().enumerate() {
            x.start(
                "CodeListItem",
                &[
                    ("CodedValue", &ch.code),
                    ("OrderNumber", &(k + 1).to_string()),
                ],
            )?;
            x.translated("Decode", &ch.en, &ch.zh)?;
            x.end("CodeListItem")?;
        }
        x.end("CodeList")?;
    }
    x.start(
        "CodeList",
        &[
            ("OID", SPECIAL_CODELIST),
            ("Name", "eCRF special values"),
            ("DataType", "text"),
        ],
    )?;
    for (k, (code, en, zh)) in SPECIAL.iter().enumerate() {
        x.start(
            "CodeListItem",
            &[("CodedValue", code), ("OrderNumber", &(k + 1).to_string())],
        )?;
        x.translated("Decode", en, zh)?;
        x.end("CodeListItem")?;
    }
    x.end("CodeList")?;
    for f in &def.forms {
        for it in f.items.iter().filter(|i| i.when.is_some()) {
            let when = it.when.as_deref().unwrap_or_default();
            x.start(
                "ConditionDef",
                &[
                    ("OID", &format!("CD.{}.{}", f.id, it.id)),
                    ("Name", &format!("{}.{} not collected", f.id, it.id)),
                ],
            )?;
            x.translated(
                "Description",
                &format!("{} is collected only when: {when}", it.id),
                &format!("{} 仅在以下条件成立时采集：{when}", it.id),
            )?;
            x.leaf(
                "FormalExpression",
                &[("Context", "eCRF expression")],
                &format!("not ({when})"),
            )?;
            x.end("ConditionDef")?;
        }
    }
    for f in &def.forms {
        for d in &f.derived {
            let args: Vec<String> = d.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let call = format!("{}({})", d.function, args.join(", "));
            x.start(
                "MethodDef",
                &[
                    ("OID", &format!("MT.{}.{}", f.id, d.id)),
                    ("Name", &d.function),
                    ("Type", "Computation"),
                ],
            )?;
            x.translated(
                "Description",
                &format!(
                    "{}: {call}{}",
                    d.label.en,
                    if d.overridable {
                        "; an investigator may override it, with a reason"
                    } else {
                        ""
                    }
                ),
                &format!(
                    "{}：{call}{}",
                    d.label.zh,
                    if d.overridable {
                        "；研究者可注明原因后覆盖"
                    } else {
                        ""
                    }
                ),
            )?;
            x.leaf("FormalExpression", &[("Context", "eCRF derivation")], &call)?;
            x.end("MethodDef")?;
        }
    }
    x.end("MetaDataVersion")
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_get_seconds_and_specials_are_null() {
        assert_eq!(with_seconds("14:30"), "14:30:00");
        assert_eq!(with_seconds("14:30:05"), "14:30:05");
        assert_eq!(
            with_seconds("2024-03-05T14:30+08:00"),
            "2024-03-05T14:30:00+08:00"
        );
        assert_eq!(with_seconds("2024-03-05T14:30Z"), "2024-03-05T14:30:00Z");
        assert_eq!(
            with_seconds("2024-03-05T14:30-05:00"),
            "2024-03-05T14:30:00-05:00"
        );
        assert_eq!(
            odm_value(Some(ItemType::Decimal), &json!({"blq": 0.5})),
            OdmVal::Null(Some(("BLQ".into(), "LLOQ 0.5".into())))
        );
        assert_eq!(
            odm_value(Some(ItemType::Date), &json!({"code": "UNK"})),
            OdmVal::Null(Some(("UNK".into(), String::new())))
        );
        assert_eq!(
            odm_value(Some(ItemType::Date), &json!("2024-03")),
            OdmVal::Value("2024-03".into())
        );
        assert_eq!(
            odm_value(Some(ItemType::Boolean), &json!(false)),
            OdmVal::Value("false".into())
        );
    }
}
