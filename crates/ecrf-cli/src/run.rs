use crate::args::*;
use ecrf_core::address::FormRef;
use ecrf_core::definition::{builtin, load, Definition};
use ecrf_core::event::{Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::SystemClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf, ServiceError, Session};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A command's failure: the exit status and one line for stderr.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure {
            code: e.exit_code() as u8,
            message: e.to_string(),
        }
    }
}

impl From<ecrf_core::CoreError> for Failure {
    fn from(e: ecrf_core::CoreError) -> Self {
        Failure {
            code: 2,
            message: e.to_string(),
        }
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: msg.into(),
    }
}

type R<T = ()> = Result<T, Failure>;

fn print<T: Serialize>(v: &T) -> R {
    let s = serde_json::to_string_pretty(v).map_err(|e| usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{s}").map_err(|e| usage(format!("stdout: {e}")))
}

fn config() -> Config {
    let kdf = match std::env::var("ECRF_KDF").as_deref() {
        Ok("fast") => Kdf::Fast,
        _ => Kdf::Standard,
    };
    Config {
        kdf,
        ..Config::default()
    }
}

fn secret(var: &str, prompt: &str) -> R<String> {
    if let Ok(v) = std::env::var(var) {
        return Ok(v);
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "{var} is not set and there is no terminal to ask for it"
        )));
    }
    rpassword::prompt_password(prompt).map_err(|e| usage(format!("reading the password: {e}")))
}

fn db_path(cli: &Cli) -> R<PathBuf> {
    cli.db
        .clone()
        .ok_or_else(|| usage("--db PATH is required for this command"))
}

fn db_key() -> Option<String> {
    std::env::var("ECRF_DB_KEY").ok().filter(|k| !k.is_empty())
}

fn open(cli: &Cli) -> R<Ecrf> {
    let path = db_path(cli)?;
    let key = db_key();
    match Ecrf::open(&path, key.as_deref(), Arc::new(SystemClock), config()) {
        // An encrypted database and no key given: ask, when someone is there to answer.
        Err(e) if e.unreadable_database() && key.is_none() && std::io::stdin().is_terminal() => {
            let k = rpassword::prompt_password(format!(
                "passphrase of the encrypted database {}: ",
                path.display()
            ))
            .map_err(|e| usage(format!("reading the passphrase: {e}")))?;
            Ok(Ecrf::open(
                &path,
                Some(&k),
                Arc::new(SystemClock),
                config(),
            )?)
        }
        Err(e) if e.unreadable_database() && key.is_none() => Err(usage(format!(
            "{} is encrypted or not an eCRF database: set ECRF_DB_KEY to its passphrase",
            path.display()
        ))),
        other => Ok(other?),
    }
}

/// The passphrase for a new encrypted database: ECRF_DB_KEY, or asked twice.
fn new_db_key() -> R<String> {
    let k = match db_key() {
        Some(k) => k,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(usage(
                    "--encrypt: ECRF_DB_KEY is not set and there is no terminal to ask for it",
                ));
            }
            let a = rpassword::prompt_password("passphrase for the new database: ")
                .map_err(|e| usage(format!("reading the passphrase: {e}")))?;
            let b = rpassword::prompt_password("the same passphrase again: ")
                .map_err(|e| usage(format!("reading the passphrase: {e}")))?;
            if a != b {
                return Err(usage("the two passphrases differ"));
            }
            a
        }
    };
    if k.chars().count() < 12 {
        return Err(usage("a database passphrase needs at least 12 characters"));
    }
    Ok(k)
}

/// Opens the database and logs the acting user in.
fn session(cli: &Cli) -> R<(Ecrf, Session)> {
    let user = cli
        .user
        .clone()
        .ok_or_else(|| usage("--user NAME is required for this command"))?;
    let mut ecrf = open(cli)?;
    let password = secret("ECRF_PASSWORD", &format!("password for {user}: "))?;
    let s = ecrf.login(&user, &password)?;
    Ok((ecrf, s))
}

fn form_ref(a: &FormAddr) -> R<FormRef> {
    Ok(FormRef::new(
        SubjectId::parse(&a.subject)?,
        &a.event,
        a.event_repeat,
        &a.form,
        a.form_repeat,
    )?)
}

fn scope_of(a: &ScopeArgs) -> R<Scope> {
    if a.study {
        return Ok(Scope::Study);
    }
    let subject = SubjectId::parse(
        a.subject
            .as_deref()
            .ok_or_else(|| usage("--study or --subject S is required"))?,
    )?;
    Ok(match (&a.event, &a.form) {
        (None, _) => Scope::Subject { subject },
        (Some(e), None) => {
            ecrf_core::address::check_repeat(a.event_repeat)?;
            Scope::Event {
                subject,
                event: e.clone(),
                event_repeat: a.event_repeat,
            }
        }
        (Some(e), Some(f)) => {
            Scope::Form(FormRef::new(subject, e, a.event_repeat, f, a.form_repeat)?)
        }
    })
}

fn read_json(path: &Path) -> R<serde_json::Value> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| usage(format!("standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| usage(format!("{}: {e}", path.display())))?
    };
    serde_json::from_str(&text)
        .map_err(|e| usage(format!("{}: not valid JSON: {e}", path.display())))
}

pub fn run(cli: Cli) -> R {
    match &cli.command {
        Command::Init {
            role,
            site,
            admin,
            name,
            central_key,
            encrypt,
        } => {
            let path = db_path(&cli)?;
            let key = if *encrypt { Some(new_db_key()?) } else { None };
            let password = secret("ECRF_PASSWORD", &format!("new password for {admin}: "))?;
            let role = match role {
                NodeRoleArg::Site => NodeRole::Site,
                NodeRoleArg::Central => NodeRole::Central,
            };
            let ecrf = Ecrf::init(
                &path,
                key.as_deref(),
                InitRequest {
                    role,
                    site: site.as_deref(),
                    admin,
                    admin_name: name,
                    password: &password,
                    central_key: central_key.as_deref(),
                },
                Arc::new(SystemClock),
                config(),
            )?;
            print(&ecrf.node_summary()?)
        }
        Command::Node {
            command: NodeCommand::Show,
        } => {
            let ecrf = open(&cli)?;
            print(&ecrf.node_summary()?)
        }
        Command::RecoverAdmin { username } => {
            let mut ecrf = open(&cli)?;
            let p = secret(
                "ECRF_NEW_PASSWORD",
                &format!("new password for {username}: "),
            )?;
            ecrf.recover_admin(username, &p)?;
            print(&serde_json::json!({ "recovered": username }))
        }
        Command::User { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                UserCommand::Add {
                    username,
                    role,
                    name,
                } => {
                    let role = match role {
                        RoleArg::Nurse => Role::Nurse,
                        RoleArg::Investigator => Role::Investigator,
                        RoleArg::Monitor => Role::Monitor,
                        RoleArg::DataManager => Role::DataManager,
                        RoleArg::Admin => Role::Admin,
                    };
                    // Authorise before asking for the new user's password.
                    ecrf.authorize(&mut s, ecrf_core::roles::Action::ManageUsers)?;
                    let p = secret(
                        "ECRF_NEW_PASSWORD",
                        &format!("initial password for {username}: "),
                    )?;
                    print(&ecrf.add_user(&mut s, username, role, name, &p)?)
                }
                UserCommand::List => print(&ecrf.list_users(&mut s)?),
                UserCommand::Deactivate { username } => {
                    print(&ecrf.set_user_active(&mut s, username, false)?)
                }
                UserCommand::Activate { username } => {
                    print(&ecrf.set_user_active(&mut s, username, true)?)
                }
                UserCommand::Unlock {
                    username,
                    reset_password,
                } => {
                    let p = if *reset_password {
                        Some(secret(
                            "ECRF_NEW_PASSWORD",
                            &format!("new password for {username}: "),
                        )?)
                    } else {
                        None
                    };
                    print(&ecrf.unlock_user(&mut s, username, p.as_deref())?)
                }
                UserCommand::Passwd => {
                    let current = secret("ECRF_PASSWORD", "current password: ")?;
                    let new = secret("ECRF_NEW_PASSWORD", "new password: ")?;
                    ecrf.change_password(&mut s, &current, &new)?;
                    print(&serde_json::json!({ "changed": s.username }))
                }
                UserCommand::SecurityLog { limit } => {
                    ecrf.authorize(&mut s, ecrf_core::roles::Action::ManageUsers)?;
                    print(
                        &ecrf
                            .store()
                            .security_log(*limit)
                            .map_err(ServiceError::from)?,
                    )
                }
            }
        }
        Command::Subject { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                SubjectCommand::Enrol { subject } => print(&ecrf.enrol(&mut s, subject)?),
                SubjectCommand::List => print(&ecrf.subjects(&mut s)?),
                SubjectCommand::Casebook { subject } => print(&ecrf.casebook(&mut s, subject)?),
                SubjectCommand::Schedule { subject } => {
                    print(&ecrf.subject_schedule(&mut s, subject)?)
                }
                SubjectCommand::Outcomes => print(&ecrf.outcomes(&mut s)?),
                SubjectCommand::Signatures { subject } => {
                    print(&ecrf.subject_signatures(&mut s, subject)?)
                }
            }
        }
        Command::Form { command } => match command {
            FormCommand::Save {
                addr,
                data,
                complete,
                reason,
            } => {
                let f = form_ref(addr)?;
                let json = read_json(data)?;
                let (mut ecrf, mut s) = session(&cli)?;
                let def = ecrf.definition().clone();
                let form = def.form(&f.form).ok_or_else(|| {
                    Failure::from(ServiceError::NotFound(format!("form {}", f.form)))
                })?;
                let entries = ecrf_services::forms::parse_data(form, &json)?;
                match ecrf.form_save(&mut s, &f, &entries, *complete, reason.as_deref()) {
                    Ok(out) => print(&out),
                    Err(e) => {
                        if !e.findings().is_empty() {
                            print(
                                &serde_json::json!({ "saved": false, "findings": e.findings() }),
                            )?;
                        }
                        Err(e.into())
                    }
                }
            }
            FormCommand::Override {
                addr,
                derived,
                value,
                reason,
            } => {
                let f = form_ref(addr)?;
                let v: serde_json::Value = serde_json::from_str(value)
                    .map_err(|e| usage(format!("--value must be JSON (3, \"CR\", null): {e}")))?;
                let (mut ecrf, mut s) = session(&cli)?;
                print(&ecrf.override_derived(&mut s, &f, derived, &v, reason)?)
            }
            FormCommand::Show { addr } => {
                let f = form_ref(addr)?;
                let (mut ecrf, mut s) = session(&cli)?;
                print(&ecrf.form_show(&mut s, &f)?)
            }
        },
        Command::Audit { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                AuditCommand::Verify => {
                    let rep = ecrf.audit_verify(&mut s)?;
                    print(&rep)?;
                    if rep.ok() {
                        Ok(())
                    } else {
                        let first = rep.broken.first().or(rep.projection.first());
                        Err(Failure {
                            code: 3,
                            message: match first {
                                Some(b) => format!(
                                    "audit trail tampered with: first broken link at {}: {}",
                                    b.at, b.problem
                                ),
                                None => "audit trail tampered with".into(),
                            },
                        })
                    }
                }
                AuditCommand::Log { subject } => {
                    let mut out = std::io::stdout().lock();
                    for e in ecrf.audit_log(&mut s, subject.as_deref())? {
                        let line = serde_json::to_string(&e).map_err(|e| usage(e.to_string()))?;
                        writeln!(out, "{line}").map_err(|e| usage(format!("stdout: {e}")))?;
                    }
                    Ok(())
                }
            }
        }
        Command::Definition { command } => match command {
            DefinitionCommand::Show { json } => {
                let def = builtin();
                if *json {
                    print(&def)
                } else {
                    print_summary(&def)
                }
            }
            DefinitionCommand::Publish { file } => {
                check_file(file)?;
                if file.file_name().is_none_or(|n| n != "study.toml") {
                    return Err(usage(
                        "the study file of a published definition must be named study.toml",
                    ));
                }
                let files = read_folder(file)?;
                let (mut ecrf, mut s) = session(&cli)?;
                print(&ecrf.publish_definition(&mut s, files)?)
            }
            DefinitionCommand::Versions => {
                let ecrf = open(&cli)?;
                print(&ecrf.definition_versions())
            }
            DefinitionCommand::Check { file } => {
                let def = check_file(file)?;
                print(&serde_json::json!({
                    "ok": true,
                    "study": def.study.id,
                    "version": def.study.version,
                    "events": def.events.len(),
                    "forms": def.forms.len(),
                    "items": def.forms.iter().map(|f| f.items.len()).sum::<usize>(),
                    "sha256": def.sha256,
                }))
            }
        },
        Command::Sign {
            subject,
            event,
            event_repeat,
            form,
            form_repeat,
            meaning,
        } => {
            let id = SubjectId::parse(subject)?;
            let scope = match (event, form) {
                (Some(e), Some(f)) => {
                    Scope::Form(FormRef::new(id, e, *event_repeat, f, *form_repeat)?)
                }
                (Some(e), None) => {
                    ecrf_core::address::check_repeat(*event_repeat)?;
                    Scope::Event {
                        subject: id,
                        event: e.clone(),
                        event_repeat: *event_repeat,
                    }
                }
                _ => Scope::Subject { subject: id },
            };
            let meaning = match meaning {
                MeaningArg::Authorship => SignatureMeaning::Authorship,
                MeaningArg::Review => SignatureMeaning::Review,
                MeaningArg::Approval => SignatureMeaning::Approval,
            };
            let (mut ecrf, mut s) = session(&cli)?;
            ecrf.authorize(&mut s, ecrf_core::roles::Action::Sign)?;
            let password = secret("ECRF_SIGN_PASSWORD", "password again, to sign: ")?;
            print(&ecrf.sign(&mut s, scope, meaning, &password)?)
        }
        Command::Pdf { command } => pdf(&cli, command),
        Command::Worklist { days } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.worklist(&mut s, *days)?)
        }
        Command::Export { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                ExportCommand::Odm { out, snapshot } => {
                    let kind = if *snapshot {
                        ecrf_services::export::odm::OdmKind::Snapshot
                    } else {
                        ecrf_services::export::odm::OdmKind::Transactional
                    };
                    print(&ecrf.export_odm_as(&mut s, out, kind)?)
                }
                ExportCommand::Csv { out } => print(&ecrf.export_csv(&mut s, out)?),
            }
        }
        Command::Report { command } => match command {
            ReportCommand::Endpoints { json, pdf, lang } => {
                if !json && pdf.is_none() {
                    return Err(usage("report endpoints: give --json or --pdf FILE"));
                }
                let (mut ecrf, mut s) = session(&cli)?;
                match pdf {
                    Some(path) => {
                        let bytes = ecrf.report_endpoints_pdf(&mut s, doc_lang(*lang), path)?;
                        print(
                            &serde_json::json!({"written": path.display().to_string(), "bytes": bytes}),
                        )
                    }
                    None => print(&ecrf.report_endpoints(&mut s)?),
                }
            }
            ReportCommand::Pk { json } => {
                if !json {
                    return Err(usage("report pk: give --json"));
                }
                let (mut ecrf, mut s) = session(&cli)?;
                print(&ecrf.report_pk(&mut s)?)
            }
            ReportCommand::Audit {
                subject,
                item,
                csv,
                pdf,
                lang,
                json,
            } => {
                let item = item
                    .as_deref()
                    .map(|k| {
                        ecrf_core::address::ItemRef::from_key(k).ok_or_else(|| {
                            usage(format!(
                                "--item {k}: expected a key like S01-001/SCR.1/DM.1/MAIN.1/WEIGHT"
                            ))
                        })
                    })
                    .transpose()?;
                if csv.is_none() && pdf.is_none() && !json {
                    return Err(usage("report audit: give --csv FILE, --pdf FILE or --json"));
                }
                let (mut ecrf, mut s) = session(&cli)?;
                if let Some(path) = pdf {
                    let (bytes, n) = ecrf.report_audit_pdf(
                        &mut s,
                        subject.as_deref(),
                        item.as_ref(),
                        doc_lang(*lang),
                        path,
                    )?;
                    return print(&serde_json::json!({
                        "written": path.display().to_string(), "bytes": bytes, "lines": n
                    }));
                }
                let lines = ecrf.report_audit(&mut s, subject.as_deref(), item.as_ref())?;
                match csv {
                    Some(path) => {
                        let bytes = ecrf_services::export::audit::write_audit_csv(&lines, path)?;
                        print(&serde_json::json!({
                            "written": path.display().to_string(), "bytes": bytes, "lines": lines.len()
                        }))
                    }
                    None => print(&lines),
                }
            }
        },
        Command::Demo {
            subjects,
            seed,
            sites: None,
            ..
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.demo(&mut s, *subjects, *seed)?)
        }
        Command::Demo {
            subjects,
            seed,
            sites: Some(n),
            out,
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.demo_sites(&mut s, *n, *subjects, *seed, out.as_deref())?)
        }
        Command::Node {
            command: NodeCommand::List,
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.nodes(&mut s)?)
        }
        Command::Node {
            command: NodeCommand::Revoke { node, reason },
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.revoke_node(&mut s, node, reason)?)
        }
        Command::Bundle {
            command: BundleCommand::Inspect { file },
        } => print(&Ecrf::inspect_bundle(file)?),
        Command::Bundle {
            command:
                BundleCommand::Export {
                    to,
                    full,
                    since,
                    out,
                },
        } => {
            if to.is_none() && !full {
                return Err(usage("bundle export needs --to NODE or --full"));
            }
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.export_bundle(&mut s, to.as_deref(), *full, *since, out)?)
        }
        Command::Bundle {
            command: BundleCommand::Import { files, accept_node },
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            let mut out = Vec::new();
            let mut refused = false;
            for f in files {
                match ecrf.import_bundle(&mut s, f, accept_node.as_deref(), &mut |_| {}) {
                    Ok(sum) => out.push(sum),
                    Err(ServiceError::Refused(reason)) => {
                        refused = true;
                        out.push(ecrf_services::sync::ImportSummary {
                            file: f.display().to_string(),
                            status: "refused".into(),
                            reason: Some(reason),
                            ..Default::default()
                        });
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            print(&out)?;
            if refused {
                return Err(Failure {
                    code: 4,
                    message: format!(
                        "{} of {} bundles refused (nothing was changed by them)",
                        out.iter().filter(|o| o.status == "refused").count(),
                        out.len()
                    ),
                });
            }
            Ok(())
        }
        Command::Bundle {
            command: BundleCommand::History,
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.import_history(&mut s)?)
        }
        Command::Query { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                QueryCommand::Open {
                    addr,
                    item,
                    row,
                    text,
                } => {
                    let f = form_ref(addr)?;
                    let target = match item {
                        Some(i) => ecrf_core::event::Target::Item(ecrf.item_ref(&f, i, *row)?),
                        None => ecrf_core::event::Target::Form(f),
                    };
                    print(&ecrf.open_query(&mut s, target, text)?)
                }
                QueryCommand::Answer { query, text } => {
                    print(&ecrf.answer_query(&mut s, query, text)?)
                }
                QueryCommand::Close { query, text } => {
                    print(&ecrf.close_query(&mut s, query, text)?)
                }
                QueryCommand::Reopen { query, text } => {
                    print(&ecrf.reopen_query(&mut s, query, text)?)
                }
                QueryCommand::List { subject, status } => {
                    print(&ecrf.queries(&mut s, subject.as_deref(), status.as_deref())?)
                }
                QueryCommand::Show { query } => print(&ecrf.query(&mut s, query)?),
            }
        }
        Command::VerifySdv {
            addr,
            item,
            row,
            undo,
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            let f = form_ref(addr)?;
            let target = match item {
                Some(i) => ecrf_core::event::Target::Item(ecrf.item_ref(&f, i, *row)?),
                None => ecrf_core::event::Target::Form(f),
            };
            print(&ecrf.mark_sdv(&mut s, target, !undo)?)
        }
        Command::Lock { scope, reason } => {
            let scope = scope_of(scope)?;
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.lock_data(&mut s, scope, reason.as_deref())?)
        }
        Command::Unlock { scope, reason } => {
            let scope = scope_of(scope)?;
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.unlock_data(&mut s, scope, reason)?)
        }
        Command::Backup { command } => {
            let (mut ecrf, mut s) = session(&cli)?;
            match command {
                BackupCommand::List => print(&ecrf.backups(&mut s)?),
                BackupCommand::Create => print(&ecrf.backup_now(&mut s)?),
                BackupCommand::Restore { file } => print(&ecrf.restore_backup(&mut s, file)?),
            }
        }
        Command::Locks => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.locks(&mut s)?)
        }
        Command::Conflict {
            command: ConflictCommand::List { subject },
        } => {
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.conflicts(&mut s, subject.as_deref())?)
        }
        Command::Conflict {
            command:
                ConflictCommand::Resolve {
                    item,
                    value,
                    reason,
                },
        } => {
            let item = ecrf_core::address::ItemRef::from_key(item).ok_or_else(|| {
                usage(format!(
                    "--item {item:?} is not an item key like S01-001/D1.1/CRS.1/MAIN.1/TEMP"
                ))
            })?;
            let value: serde_json::Value = serde_json::from_str(value)
                .map_err(|e| usage(format!("--value is not JSON: {e}")))?;
            let (mut ecrf, mut s) = session(&cli)?;
            print(&ecrf.resolve_conflict(&mut s, &item, value, reason)?)
        }
    }
}

fn print_summary(def: &Definition) -> R {
    let mut out = std::io::stdout().lock();
    let w = |out: &mut std::io::StdoutLock, s: String| {
        writeln!(out, "{s}").map_err(|e| usage(e.to_string()))
    };
    w(
        &mut out,
        format!(
            "{} {} — {}",
            def.study.id, def.study.version, def.study.name.en
        ),
    )?;
    for ev in &def.events {
        w(
            &mut out,
            format!(
                "event {:<8} {:<32} forms: {}",
                ev.id,
                ev.name.en,
                ev.forms.join(", ")
            ),
        )?;
    }
    for f in &def.forms {
        w(
            &mut out,
            format!(
                "form  {:<8} {:<32} {} items",
                f.id,
                f.name.en,
                f.items.len()
            ),
        )?;
    }
    Ok(())
}

/// Every .toml file below the study file's folder, by path relative to it.
fn read_folder(file: &Path) -> R<BTreeMap<String, String>> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files)?;
    Ok(files)
}

/// Reads a study file and every .toml file below its folder, and loads them.
fn check_file(file: &Path) -> R<Definition> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let root = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| usage(format!("{} is not a file", file.display())))?;
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files)?;
    if !files.contains_key(&root) {
        return Err(usage(format!("{}: no such file", file.display())));
    }
    load(&files, &root).map_err(|errs| Failure {
        code: 1,
        message: errs
            .iter()
            .map(|e| format!("{}/{e}", dir.display()))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, String>) -> R {
    let entries = std::fs::read_dir(dir).map_err(|e| usage(format!("{}: {e}", dir.display())))?;
    for e in entries {
        let p = e.map_err(|e| usage(e.to_string()))?.path();
        if p.is_dir() {
            collect(base, &p, files)?;
        } else if p.extension().is_some_and(|x| x == "toml") {
            let name = p
                .strip_prefix(base)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let text =
                std::fs::read_to_string(&p).map_err(|e| usage(format!("{}: {e}", p.display())))?;
            files.insert(name, text);
        }
    }
    Ok(())
}

fn doc_lang(l: LangArg) -> ecrf_services::pdf_model::DocLang {
    match l {
        LangArg::En => ecrf_services::pdf_model::DocLang::One(ecrf_core::definition::Lang::En),
        LangArg::Zh => ecrf_services::pdf_model::DocLang::One(ecrf_core::definition::Lang::Zh),
        LangArg::Both => ecrf_services::pdf_model::DocLang::Both,
    }
}

fn write_out(path: &Path, bytes: &[u8]) -> R {
    std::fs::write(path, bytes).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    print(&serde_json::json!({ "written": path.display().to_string(), "bytes": bytes.len() }))
}

fn pdf(cli: &Cli, command: &PdfCommand) -> R {
    match command {
        PdfCommand::Blank { form, out, lang } => {
            let now = chrono_now();
            let bytes = Ecrf::blank_pdf(form.as_deref(), doc_lang(*lang), &now)?;
            write_out(out, &bytes)
        }
        PdfCommand::Verify { file } => {
            let bytes =
                std::fs::read(file).map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let (mut ecrf, mut s) = session(cli)?;
            let c = ecrf.check_pdf(&mut s, &bytes)?;
            print(&c)?;
            if c.intact && c.covers_whole_file {
                Ok(())
            } else {
                Err(Failure {
                    code: 3,
                    message: format!(
                        "the PDF signature does not hold: {}",
                        c.problem.unwrap_or_else(|| "not intact".into())
                    ),
                })
            }
        }
        PdfCommand::Form { addr, out } => export(cli, Scope::Form(form_ref(addr)?), out),
        PdfCommand::Event {
            subject,
            event,
            event_repeat,
            out,
        } => {
            ecrf_core::address::check_repeat(*event_repeat)?;
            export(
                cli,
                Scope::Event {
                    subject: SubjectId::parse(subject)?,
                    event: event.clone(),
                    event_repeat: *event_repeat,
                },
                out,
            )
        }
        PdfCommand::Casebook { subject, out } => export(
            cli,
            Scope::Subject {
                subject: SubjectId::parse(subject)?,
            },
            out,
        ),
    }
}

fn export(cli: &Cli, scope: Scope, out: &PdfOut) -> R {
    let (mut ecrf, mut s) = session(cli)?;
    let bytes = if out.sign {
        ecrf.authorize(&mut s, ecrf_core::roles::Action::Sign)?;
        let meaning = match out.meaning.unwrap_or(MeaningArg::Approval) {
            MeaningArg::Authorship => SignatureMeaning::Authorship,
            MeaningArg::Review => SignatureMeaning::Review,
            MeaningArg::Approval => SignatureMeaning::Approval,
        };
        let password = secret("ECRF_SIGN_PASSWORD", "password again, to sign: ")?;
        ecrf.export_pdf(
            &mut s,
            scope,
            doc_lang(out.lang),
            Some((&password, meaning)),
        )?
    } else {
        ecrf.export_pdf(&mut s, scope, doc_lang(out.lang), None)?
    };
    write_out(&out.out, &bytes)
}

fn chrono_now() -> String {
    ecrf_services::clock::rfc3339(chrono::Utc::now())
}
