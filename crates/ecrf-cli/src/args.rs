use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Offline eCRF for the CD19/CD22 CAR-T trial. Passwords come from ECRF_PASSWORD (the acting
/// user's) and ECRF_NEW_PASSWORD (a new user's), or a prompt. See docs/cli.md.
#[derive(Parser, Debug)]
#[command(name = "ecrf", version, about)]
pub struct Cli {
    /// The node database.
    #[arg(long, global = true, env = "ECRF_DB")]
    pub db: Option<PathBuf>,
    /// The acting user.
    #[arg(long, global = true, env = "ECRF_USER")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a node database with its first administrator (password: ECRF_PASSWORD).
    Init {
        #[arg(long)]
        role: NodeRoleArg,
        /// Site code, e.g. S01 (site nodes).
        #[arg(long)]
        site: Option<String>,
        /// Username of the first administrator.
        #[arg(long)]
        admin: String,
        /// Full name of the first administrator.
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Encrypt the database (SQLCipher) with a passphrase: ECRF_DB_KEY, or asked twice.
        /// It is needed every time the database is opened and is never stored.
        #[arg(long)]
        encrypt: bool,
        /// Site nodes: the central node's key fingerprint (from `ecrf node show` there); its
        /// first return bundle is then accepted without --accept-node.
        #[arg(long)]
        central_key: Option<String>,
    },
    /// Sync bundles: export, inspect, import, history.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Queries on items or forms: open, answer, close, re-open, list, show.
    Query {
        #[command(subcommand)]
        command: QueryCommand,
    },
    /// Mark an item (--item) or a whole form source-data verified (monitors); --undo withdraws
    /// the mark. A later change of a value clears it.
    VerifySdv {
        #[command(flatten)]
        addr: FormAddr,
        #[arg(long)]
        item: Option<String>,
        /// The row of a repeating group.
        #[arg(long, default_value_t = 1)]
        row: u32,
        #[arg(long)]
        undo: bool,
    },
    /// Lock data (data managers): the whole study, a subject, an event or a form.
    Lock {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Unlock data (data managers), with the reason.
    Unlock {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        reason: String,
    },
    /// Locks in force.
    Locks,
    /// Backups of this database (administrators): list, create, restore.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Conflicting edits of one item made on two nodes.
    Conflict {
        #[command(subcommand)]
        command: ConflictCommand,
    },
    /// This node's identity.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// Users and passwords.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Reset an administrator's password when no administrator can log in (needs the
    /// database file; new password: ECRF_NEW_PASSWORD).
    RecoverAdmin { username: String },
    /// Subjects.
    Subject {
        #[command(subcommand)]
        command: SubjectCommand,
    },
    /// Form data.
    Form {
        #[command(subcommand)]
        command: FormCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The study definition.
    Definition {
        #[command(subcommand)]
        command: DefinitionCommand,
    },
    /// Sign a form, an event or a subject's casebook (investigators). The password is asked
    /// again: ECRF_SIGN_PASSWORD, or a prompt.
    Sign {
        #[arg(long)]
        subject: String,
        /// Sign one event (with --form: one form).
        #[arg(long)]
        event: Option<String>,
        #[arg(long, default_value_t = 1)]
        event_repeat: u32,
        #[arg(long, requires = "event")]
        form: Option<String>,
        #[arg(long, default_value_t = 1)]
        form_repeat: u32,
        #[arg(long)]
        meaning: MeaningArg,
    },
    /// PDF CRFs: filled, signed, blank; and checking a PDF.
    Pdf {
        #[command(subcommand)]
        command: PdfCommand,
    },
    /// Visits due or overdue (and opening within --days), over all subjects.
    Worklist {
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// Export the dataset (monitors, data managers; investigators their own site): CDISC ODM
    /// 1.3.2 or CSV tables.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Reports for inspectors: the audit trail.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Enrol realistic synthetic subjects at this site; on the central node with --sites N,
    /// make N site nodes with --subjects each and import their bundles.
    Demo {
        #[arg(long, default_value_t = 10)]
        subjects: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        sites: Option<u32>,
        /// Keep the site databases and bundles in this folder (with --sites).
        #[arg(long, requires = "sites")]
        out: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum NodeRoleArg {
    Site,
    Central,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MeaningArg {
    Authorship,
    Review,
    Approval,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    Nurse,
    Investigator,
    Monitor,
    DataManager,
    Admin,
}

#[derive(Subcommand, Debug)]
pub enum NodeCommand {
    /// Node id, role, site, epoch and key fingerprint.
    Show,
    /// The nodes whose keys this node accepted (or revoked), with what was exchanged.
    List,
    /// Revoke a node's key (a lost laptop): its bundles are refused from now on.
    Revoke {
        node: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Write a bundle: from what the destination acknowledged, or everything with --full.
    /// At a site the destination is the central node; at the central node, a site node
    /// (its id, or the site code when the site has one node).
    Export {
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        full: bool,
        /// From this sequence number of each stream on (to resend a range).
        #[arg(long, conflicts_with = "full")]
        since: Option<u64>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a bundle and show its manifest (needs no database; imports nothing).
    Inspect { file: PathBuf },
    /// Import bundles, each on its own and all-or-nothing; exit 4 when any was refused.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept the sending node's key: its fingerprint exactly as `bundle inspect` shows it.
        #[arg(long)]
        accept_node: Option<String>,
    },
    /// Bundles imported: from which node, when, what they held.
    History,
}

#[derive(Args, Debug)]
pub struct ScopeArgs {
    /// The whole study.
    #[arg(long, conflicts_with = "subject")]
    pub study: bool,
    #[arg(long, required_unless_present = "study")]
    pub subject: Option<String>,
    #[arg(long, requires = "subject")]
    pub event: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub event_repeat: u32,
    #[arg(long, requires = "event")]
    pub form: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub form_repeat: u32,
}

#[derive(Subcommand, Debug)]
pub enum QueryCommand {
    /// Open a query on a form, or on one item of it (data managers, monitors).
    Open {
        #[command(flatten)]
        addr: FormAddr,
        #[arg(long)]
        item: Option<String>,
        /// The row of a repeating group.
        #[arg(long, default_value_t = 1)]
        row: u32,
        #[arg(long)]
        text: String,
    },
    /// Answer a query (site staff).
    Answer {
        query: String,
        #[arg(long)]
        text: String,
    },
    /// Close a query (data managers).
    Close {
        query: String,
        #[arg(long)]
        text: String,
    },
    /// Re-open an answered or closed query (data managers).
    Reopen {
        query: String,
        #[arg(long)]
        text: String,
    },
    /// Queries with their threads.
    List {
        #[arg(long)]
        subject: Option<String>,
        /// open, answered or closed.
        #[arg(long)]
        status: Option<String>,
    },
    /// One query with its thread.
    Show { query: String },
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// The backups kept beside the database (made before every import and migration).
    List,
    /// Make a backup now.
    Create,
    /// Restore a backup of this node; the current database is kept as a backup first, and the
    /// node continues in a new epoch.
    Restore { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum ConflictCommand {
    /// Items whose values were changed on two nodes concurrently, with every value.
    List {
        #[arg(long)]
        subject: Option<String>,
    },
    /// Resolve a conflict (data manager): the value to keep, as JSON, with a reason.
    Resolve {
        /// The item's key, as `conflict list` shows it.
        #[arg(long)]
        item: String,
        #[arg(long)]
        value: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user (initial password: ECRF_NEW_PASSWORD).
    Add {
        username: String,
        #[arg(long)]
        role: RoleArg,
        #[arg(long)]
        name: String,
    },
    List,
    /// Deactivate a user (users are never deleted).
    Deactivate {
        username: String,
    },
    Activate {
        username: String,
    },
    /// Unlock a locked account; with --reset-password also set ECRF_NEW_PASSWORD.
    Unlock {
        username: String,
        #[arg(long)]
        reset_password: bool,
    },
    /// Change the acting user's password (current: ECRF_PASSWORD, new: ECRF_NEW_PASSWORD).
    Passwd,
    /// The security log (failed logins, lockouts, refusals), newest first.
    SecurityLog {
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubjectCommand {
    Enrol {
        subject: String,
    },
    List,
    /// Events × forms with their status.
    Casebook {
        subject: String,
    },
    /// Every scheduled visit with its window and state.
    Schedule {
        subject: String,
    },
    /// Analysis populations and best overall response of every subject.
    Outcomes,
    /// Signatures on the subject's data, each with whether it still holds.
    Signatures {
        subject: String,
    },
}

#[derive(Args, Debug)]
pub struct FormAddr {
    #[arg(long)]
    pub subject: String,
    #[arg(long)]
    pub event: String,
    #[arg(long, default_value_t = 1)]
    pub event_repeat: u32,
    #[arg(long)]
    pub form: String,
    #[arg(long, default_value_t = 1)]
    pub form_repeat: u32,
}

#[derive(Subcommand, Debug)]
pub enum FormCommand {
    /// Save values from a JSON file (item id → value; a patch).
    Save {
        #[command(flatten)]
        addr: FormAddr,
        /// JSON file; `-` reads standard input.
        #[arg(long)]
        data: PathBuf,
        /// Also mark the form complete.
        #[arg(long)]
        complete: bool,
        /// Reason for change (required when the form is complete).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Values, status, derived values and findings.
    Show {
        #[command(flatten)]
        addr: FormAddr,
    },
    /// Override a derived value (investigators), with a reason; `--value null` withdraws it.
    Override {
        #[command(flatten)]
        addr: FormAddr,
        /// The derived value's id, e.g. CRSGR.
        #[arg(long)]
        derived: String,
        /// The value, as JSON: 3, "CR", null.
        #[arg(long)]
        value: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute every hash and chain; exit 3 when anything was tampered with.
    Verify,
    /// The change log as JSON lines.
    Log {
        #[arg(long)]
        subject: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DefinitionCommand {
    /// The built-in definition (events, forms, codelists, parameters).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Check a definition's study file (and the form files it lists).
    Check { file: PathBuf },
    /// Publish an amended definition on the central node (data manager). Its study file must be
    /// named study.toml; its version must be new.
    Publish { file: PathBuf },
    /// The definition versions this node knows.
    Versions,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LangArg {
    En,
    Zh,
    Both,
}

#[derive(Args, Debug)]
pub struct PdfOut {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Sign as the exporting investigator (password again: ECRF_SIGN_PASSWORD, or a prompt).
    #[arg(long)]
    pub sign: bool,
    #[arg(long, requires = "sign")]
    pub meaning: Option<MeaningArg>,
}

#[derive(Subcommand, Debug)]
pub enum PdfCommand {
    /// One filled form.
    Form {
        #[command(flatten)]
        addr: FormAddr,
        #[command(flatten)]
        out: PdfOut,
    },
    /// Every form of one event of a subject.
    Event {
        #[arg(long)]
        subject: String,
        #[arg(long)]
        event: String,
        #[arg(long, default_value_t = 1)]
        event_repeat: u32,
        #[command(flatten)]
        out: PdfOut,
    },
    /// A subject's whole casebook, with a contents page.
    Casebook {
        #[arg(long)]
        subject: String,
        #[command(flatten)]
        out: PdfOut,
    },
    /// Blank CRFs to fill in by hand (no database needed): one form, or every form.
    Blank {
        #[arg(long)]
        form: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = LangArg::Both)]
        lang: LangArg,
    },
    /// Check a signed PDF: intact, signer, time, and whether it matches the current record.
    Verify { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// CDISC ODM 1.3.2: a Transactional file with every change and its AuditRecord, or the
    /// current values with --snapshot.
    Odm {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        snapshot: bool,
    },
    /// A CSV per form and repeating group, data_dictionary.csv and codelists.csv, in a new folder.
    Csv {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The endpoint report: response rates with exact 95% CIs by population, Kaplan-Meier for
    /// OS, PFS and DOR (primary and sensitivity), worst CRS/ICANS grades, SAEs, swimmer data.
    Endpoints {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Write the report as a PDF with its plots (Kaplan-Meier, PK, swimmer).
        #[arg(long, conflicts_with = "json")]
        pdf: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
    },
    /// Non-compartmental PK per subject and assay (qPCR, flow), with summaries.
    Pk {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Every change of a subject (or one item, or every subject): who, when, old and new value,
    /// reason.
    Audit {
        #[arg(long)]
        subject: Option<String>,
        /// An item key, e.g. S01-001/SCR.1/DM.1/MAIN.1/WEIGHT.
        #[arg(long)]
        item: Option<String>,
        #[arg(long, conflicts_with_all = ["json", "pdf"])]
        csv: Option<PathBuf>,
        /// A PDF table (A4 landscape).
        #[arg(long, conflicts_with = "json")]
        pdf: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
}
