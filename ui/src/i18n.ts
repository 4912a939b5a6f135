// The one place every UI string comes from. Form labels come from the study definition
// ({en, zh} objects, see `tx`); everything else is a key of `dict`.

import type { Lang } from "./bindings/Lang";
import type { Text } from "./bindings/Text";
import { dmDict } from "./i18n.dm";

export type Entry = { en: string; zh: string };

const baseDict = {
  // General
  "app.title": { en: "eCRF", zh: "电子病例报告表" },
  "lang.switch": { en: "中文", zh: "English" },
  "lang.switch.title": { en: "Switch language to Chinese", zh: "切换为英文" },
  "common.loading": { en: "Loading…", zh: "正在加载…" },
  "common.back": { en: "← Back", zh: "← 返回" },
  "common.back.title": { en: "Back to the previous screen (Alt+←)", zh: "返回上一屏（Alt+←）" },
  "common.cancel": { en: "Cancel", zh: "取消" },
  "common.ok": { en: "OK", zh: "确定" },
  "common.none": { en: "—", zh: "—" },
  "common.central": { en: "Central", zh: "中心数据管理" },
  "common.site": { en: "Site {site}", zh: "研究中心 {site}" },

  // Login
  "login.heading": { en: "Sign in", zh: "登录" },
  "login.username": { en: "Username", zh: "用户名" },
  "login.password": { en: "Password", zh: "密码" },
  "login.submit": { en: "Sign in", zh: "登录" },
  "login.busy": { en: "Signing in…", zh: "正在登录…" },
  "login.node": { en: "This computer", zh: "本机" },
  "login.node.site": { en: "Site database {site}", zh: "研究中心数据库 {site}" },
  "login.node.central": { en: "Central data management database", zh: "中心数据管理数据库" },
  "login.version": { en: "Study definition version {v}", zh: "研究定义版本 {v}" },
  "login.missing": { en: "Enter your username and password.", zh: "请输入用户名和密码。" },
  "login.failed": { en: "Not signed in: {msg}", zh: "登录失败：{msg}" },
  "login.welcome": { en: "Signed in as {name}.", zh: "已登录：{name}。" },
  "login.nodeError": { en: "Could not read this computer's study database: {msg}", zh: "无法读取本机的研究数据库：{msg}" },

  // Header
  "header.logout": { en: "Log out", zh: "退出登录" },
  "header.user": { en: "Signed-in user", zh: "当前用户" },
  "header.loggedOut": { en: "You have logged out.", zh: "您已退出登录。" },

  // Roles
  "role.nurse": { en: "Research nurse", zh: "研究护士" },
  "role.investigator": { en: "Investigator", zh: "研究者" },
  "role.monitor": { en: "Monitor", zh: "监查员" },
  "role.data-manager": { en: "Data manager", zh: "数据管理员" },
  "role.admin": { en: "Administrator", zh: "系统管理员" },

  // Form status
  "status.not_started": { en: "Not started", zh: "未开始" },
  "status.in_progress": { en: "In progress", zh: "填写中" },
  "status.complete": { en: "Complete", zh: "已完成" },

  // Subject list
  "subjects.heading": { en: "Subjects", zh: "受试者" },
  "subjects.search": { en: "Search subjects", zh: "搜索受试者" },
  "subjects.search.placeholder": { en: "Subject number or eligibility", zh: "受试者编号或入组资格" },
  "subjects.col.subject": { en: "Subject", zh: "受试者编号" },
  "subjects.col.site": { en: "Site", zh: "研究中心" },
  "subjects.col.enrolled": { en: "Enrolled", zh: "入组日期" },
  "subjects.col.started": { en: "Forms started", zh: "已开始表单" },
  "subjects.col.complete": { en: "Forms complete", zh: "已完成表单" },
  "subjects.col.eligibility": { en: "Eligibility", zh: "入组资格" },
  "subjects.empty": { en: "No subjects enrolled yet.", zh: "尚无入组受试者。" },
  "subjects.noMatch": { en: "No subject matches “{q}”.", zh: "没有与“{q}”匹配的受试者。" },
  "subjects.count": { en: "{n} of {total} subjects", zh: "共 {total} 名受试者，显示 {n} 名" },
  "subjects.enrol.heading": { en: "Enrol a new subject", zh: "新受试者入组" },
  "subjects.enrol.label": { en: "New subject number", zh: "新受试者编号" },
  "subjects.enrol.button": { en: "Enrol", zh: "入组" },
  "subjects.enrol.hint": { en: "Site code, hyphen, 3–6 digits, e.g. {example}", zh: "研究中心代码-3 至 6 位数字，例如 {example}" },
  "subjects.enrol.invalid": { en: "“{id}” is not a subject number: use the site code, a hyphen and 3–6 digits, e.g. {example}.", zh: "“{id}”不是有效的受试者编号：应为研究中心代码、连字符和 3 至 6 位数字，例如 {example}。" },
  "subjects.enrol.done": { en: "Subject {id} enrolled.", zh: "受试者 {id} 已入组。" },
  "subjects.open": { en: "Open the casebook of {id}", zh: "打开 {id} 的病例" },
  "subjects.loadError": { en: "Could not load the subject list: {msg}", zh: "无法加载受试者列表：{msg}" },

  // Casebook
  "casebook.heading": { en: "Casebook of subject {id}", zh: "受试者 {id} 的病例" },
  "casebook.summary": { en: "Site {site} · enrolled {date} · forms: {started} started, {complete} complete", zh: "研究中心 {site} · 入组 {date} · 已开始 {started} 份表单，已完成 {complete} 份" },
  "casebook.form": { en: "Form", zh: "表单" },
  "casebook.day": { en: "Day {day}", zh: "第 {day} 天" },
  "casebook.window": { en: "window {from} to {to}", zh: "窗口期 {from} 至 {to} 天" },
  "casebook.windowDays": { en: "days {from} to {to}", zh: "第 {from} 至 {to} 天" },
  "casebook.day.enrolment": { en: "Day {day} from enrolment", zh: "入组后第 {day} 天" },
  "casebook.day.infusion": { en: "Day {day} after infusion", zh: "回输后第 {day} 天" },
  "casebook.repeat": { en: "#{n}", zh: "第 {n} 次" },
  "casebook.newRepeat": { en: "new", zh: "新建" },
  "casebook.notPlanned": { en: "not in this visit", zh: "本访视无此表" },
  "casebook.cell.title": { en: "{form} at {event}: {status}. Press Enter to open.", zh: "{event} · {form}：{status}。按回车键打开。" },
  "casebook.legend": { en: "Click a cell or press Enter on it to open the form.", zh: "点击单元格或在其上按回车键打开表单。" },
  "casebook.loadError": { en: "Could not load the casebook: {msg}", zh: "无法加载病例：{msg}" },

  // Form entry
  "form.heading": { en: "{form}", zh: "{form}" },
  "form.context": { en: "Subject {subject} · {event}", zh: "受试者 {subject} · {event}" },
  "form.save": { en: "Save", zh: "保存" },
  "form.save.title": { en: "Save as draft (Ctrl+S)", zh: "保存为草稿（Ctrl+S）" },
  "form.saveComplete": { en: "Save & mark complete", zh: "保存并标记为完成" },
  "form.saveComplete.title": { en: "Save and mark the form complete (Ctrl+Shift+S)", zh: "保存并标记为已完成（Ctrl+Shift+S）" },
  "form.saving": { en: "Saving…", zh: "正在保存…" },
  "form.saved": { en: "Saved. Form status: {status}.", zh: "已保存。表单状态：{status}。" },
  "form.savedWarnings": { en: "Saved with {n} warning(s). Form status: {status}.", zh: "已保存，有 {n} 条警告。表单状态：{status}。" },
  "form.unchanged": { en: "Nothing changed. Form status: {status}.", zh: "没有更改。表单状态：{status}。" },
  "form.notSaved": { en: "Not saved: {msg}", zh: "未保存：{msg}" },
  "form.notSavedFindings": { en: "Not saved: {n} error(s) to correct, marked in red.", zh: "未保存：有 {n} 处错误需要更正，已用红色标出。" },
  "form.hint": { en: "Keys: Enter next field · Shift+Enter previous · in a choice, type the first letter or number · Ctrl+Enter add a row · Ctrl+Delete remove it · Alt+H history · Ctrl+S save · Ctrl+Shift+S save & complete · F1 all keys", zh: "快捷键：回车 下一项 · Shift+回车 上一项 · 选择题可输入首字母或序号 · Ctrl+回车 添加一行 · Ctrl+Delete 删除该行 · Alt+H 修改记录 · Ctrl+S 保存 · Ctrl+Shift+S 保存并完成 · F1 全部快捷键" },
  "form.derived": { en: "Derived values", zh: "派生值" },
  "form.derived.missing": { en: "Not derivable yet: {n} answers missing", zh: "暂无法推导：缺少 {n} 项回答" },
  "form.derived.none": { en: "This form has no derived values.", zh: "本表单没有推导值。" },
  "form.findings": { en: "Checks", zh: "核查结果" },
  "form.findings.none": { en: "No findings.", zh: "无核查问题。" },
  "form.findings.count": { en: "{e} error(s), {w} warning(s)", zh: "{e} 个错误，{w} 个警告" },
  "form.checking": { en: "checking…", zh: "正在核查…" },
  "form.required": { en: "required", zh: "必填" },
  "form.readOnly": { en: "You may view this form but not change it.", zh: "您可以查看但不能修改此表单。" },
  "form.loadError": { en: "Could not open the form: {msg}", zh: "无法打开表单：{msg}" },
  "form.unknown": { en: "Form {id} is not in the study definition.", zh: "研究定义中没有表单 {id}。" },
  "form.row": { en: "Row", zh: "行" },
  "form.addRow": { en: "+ Add row", zh: "+ 添加一行" },
  "form.addRow.title": { en: "Add a row (Ctrl+Enter)", zh: "添加一行（Ctrl+回车）" },
  "form.removeRow.title": { en: "Remove row {n} (Ctrl+Delete)", zh: "删除第 {n} 行（Ctrl+Delete）" },
  "form.noRows": { en: "No rows yet.", zh: "尚无记录。" },
  "form.maxRows": { en: "At most {n} rows.", zh: "最多 {n} 行。" },
  "form.notApplicable": { en: "Does not apply to the current answers; clear this value.", zh: "根据当前回答此项不适用，请清除该值。" },
  "form.clear": { en: "Clear", zh: "清除" },
  "form.otherFindings": { en: "Other findings", zh: "其他核查结果" },
  "form.unsaved": { en: "Unsaved changes", zh: "有未保存的更改" },
  "form.leave.title": { en: "Leave without saving?", zh: "不保存就离开？" },
  "form.leave.text": { en: "This form has changes that are not saved.", zh: "此表单有尚未保存的更改。" },
  "form.leave.stay": { en: "Stay on the form", zh: "留在此表单" },
  "form.leave.go": { en: "Leave without saving", zh: "不保存并离开" },
  "form.status": { en: "Status", zh: "状态" },
  "form.version": { en: "Definition version {v}", zh: "定义版本 {v}" },

  // Navigation
  "nav.label": { en: "Main screens", zh: "主要页面" },
  "nav.subjects": { en: "Subjects", zh: "受试者" },
  "nav.worklist": { en: "Worklist", zh: "待办访视" },
  "nav.worklist.title": { en: "Visits overdue, due or coming up, over all subjects", zh: "所有受试者已逾期、待完成或即将到期的访视" },

  // Visit schedule
  "visit.complete": { en: "Complete", zh: "已完成" },
  "visit.in_progress": { en: "In progress", zh: "进行中" },
  "visit.due": { en: "Due", zh: "待完成" },
  "visit.overdue": { en: "Overdue", zh: "已逾期" },
  "visit.upcoming": { en: "Upcoming", zh: "即将到期" },
  "visit.not_expected": { en: "Not expected", zh: "不适用" },
  "visit.dueOn": { en: "due {date}", zh: "应访日期 {date}" },
  "visit.window": { en: "window {from} – {to}", zh: "窗口期 {from} 至 {to}" },
  "visit.planned": { en: "planned", zh: "预计" },
  "visit.planned.title": {
    en: "The infusion date is only planned: these dates move once the infusion is recorded.",
    zh: "回输日期尚为计划日期：记录实际回输日期后，这些日期将随之更新。",
  },
  "visit.title": { en: "{visit}: {state}", zh: "{visit}：{state}" },
  "casebook.scheduleError": { en: "The visit schedule could not be loaded: {msg}", zh: "无法加载访视计划：{msg}" },

  // Worklist
  "worklist.heading": { en: "Worklist", zh: "待办访视" },
  "worklist.intro": {
    en: "Visits overdue, due now or in progress, and those opening within the next {days} days, overdue first. Click a row or press Enter on it to open the casebook.",
    zh: "已逾期、当前待完成或进行中的访视，以及未来 {days} 天内开放的访视，已逾期的排在最前。点击某一行或在其上按回车键打开病例。",
  },
  "worklist.days": { en: "Look ahead", zh: "提前查看" },
  "worklist.daysN": { en: "{n} days", zh: "{n} 天" },
  "worklist.col.subject": { en: "Subject", zh: "受试者编号" },
  "worklist.col.visit": { en: "Visit", zh: "访视" },
  "worklist.col.due": { en: "Due date", zh: "应访日期" },
  "worklist.col.window": { en: "Window", zh: "窗口期" },
  "worklist.col.state": { en: "State", zh: "状态" },
  "worklist.windowRange": { en: "{from} – {to}", zh: "{from} 至 {to}" },
  "worklist.count": {
    en: "{overdue} overdue · {due} due · {progress} in progress · {upcoming} upcoming",
    zh: "已逾期 {overdue} · 待完成 {due} · 进行中 {progress} · 即将到期 {upcoming}",
  },
  "worklist.empty": { en: "Nothing to do: no visit is overdue, due, in progress or opening within {days} days.", zh: "暂无待办：没有已逾期、待完成、进行中或 {days} 天内开放的访视。" },
  "worklist.open": { en: "Open the casebook of {id} ({visit})", zh: "打开 {id} 的病例（{visit}）" },
  "worklist.loadError": { en: "Could not load the worklist: {msg}", zh: "无法加载待办访视：{msg}" },

  // Overrides of derived values
  "override.tag": { en: "Override", zh: "研究者修改" },
  "override.derivedTag": { en: "Derived", zh: "派生值" },
  "override.by": { en: "Overridden by {user}, {date}: {reason}", zh: "由 {user} 于 {date} 修改，原因：{reason}" },
  "override.changed": { en: "The derived value has changed since the override (it was {then}).", zh: "修改后派生值已发生变化（修改时为 {then}）。" },
  "override.button": { en: "Override…", zh: "研究者修改…" },
  "override.button.title": { en: "Record the investigator's value for {label}, with a reason; the derived value stays in the record", zh: "填写研究者判定的{label}及修改原因；派生值仍保留在记录中" },
  "override.withdraw": { en: "Withdraw override", zh: "撤销修改" },
  "override.title": { en: "Override: {label}", zh: "研究者修改：{label}" },
  "override.withdrawTitle": { en: "Withdraw the override of {label}", zh: "撤销对“{label}”的修改" },
  "override.text": {
    en: "Your value is used in place of the derived value. Both stay in the record, with your name, the time and your reason.",
    zh: "您填写的值将替代派生值使用。两者都会连同您的姓名、时间和修改原因保留在记录中。",
  },
  "override.withdrawText": { en: "The derived value will be used again. The override stays in the audit trail.", zh: "将恢复使用派生值。原修改记录仍保留在稽查轨迹中。" },
  "override.derivedNow": { en: "Derived value now: {value}", zh: "当前派生值：{value}" },
  "override.current": { en: "Current override: {value}", zh: "当前修改值：{value}" },
  "override.value": { en: "Investigator's value", zh: "研究者判定值" },
  "override.reason": { en: "Reason for override", zh: "修改原因" },
  "override.withdrawReason": { en: "Reason for withdrawing", zh: "撤销原因" },
  "override.ok": { en: "Record override", zh: "确认修改" },
  "override.withdrawOk": { en: "Withdraw override", zh: "确认撤销" },
  "override.valueMissing": { en: "Choose a value.", zh: "请选择一个值。" },
  "override.notNumber": { en: "Enter a number, e.g. 1.75.", zh: "请输入数值，例如 1.75。" },
  "override.reasonMissing": { en: "A reason is required.", zh: "必须填写修改原因。" },
  "override.failed": { en: "Not recorded: {msg}", zh: "未能保存：{msg}" },
  "override.done": { en: "Override of {label} recorded.", zh: "已记录对“{label}”的修改。" },
  "override.withdrawn": { en: "Override of {label} withdrawn.", zh: "已撤销对“{label}”的修改。" },
  "override.unsaved": { en: "Save the form before overriding a derived value.", zh: "请先保存表单，再修改派生值。" },
  "override.notStarted": { en: "Nothing to override until the form has saved data.", zh: "表单尚无已保存的数据，暂无可修改的派生值。" },
  "override.notDerivable": { en: "not derivable", zh: "无法推导" },

  // Scales of derived values (override choices and how values read)
  "scale.crs.0": { en: "No CRS (grade 0)", zh: "无 CRS（0 级）" },
  "scale.crs.n": { en: "Grade {n} (ASTCT)", zh: "{n} 级（ASTCT）" },
  "scale.icans.0": { en: "No ICANS (grade 0)", zh: "无 ICANS（0 级）" },
  "scale.icans.n": { en: "Grade {n} (ASTCT)", zh: "{n} 级（ASTCT）" },
  "scale.ice": { en: "ICE {n}/10", zh: "ICE 评分 {n}/10" },
  "scale.all.CR": { en: "CR — complete remission", zh: "CR — 完全缓解" },
  "scale.all.CRI": { en: "CRi — complete remission with incomplete count recovery", zh: "CRi — 完全缓解伴血细胞计数未完全恢复" },
  "scale.all.MLFS": { en: "MLFS — morphologic leukaemia-free state", zh: "MLFS — 形态学无白血病状态" },
  "scale.all.PR": { en: "PR — partial remission", zh: "PR — 部分缓解" },
  "scale.all.NR": { en: "NR — no response", zh: "NR — 未缓解" },
  "scale.all.PD": { en: "PD — progressive disease", zh: "PD — 疾病进展" },
  "scale.all.RELAPSE": { en: "Relapse", zh: "复发" },
  "scale.lugano.CR": { en: "CR — complete response", zh: "CR — 完全缓解" },
  "scale.lugano.PR": { en: "PR — partial response", zh: "PR — 部分缓解" },
  "scale.lugano.SD": { en: "SD — stable disease", zh: "SD — 疾病稳定" },
  "scale.lugano.PD": { en: "PD — progressive disease", zh: "PD — 疾病进展" },
  "scale.pet.CMR": { en: "CMR — complete metabolic response", zh: "CMR — 完全代谢缓解" },
  "scale.pet.PMR": { en: "PMR — partial metabolic response", zh: "PMR — 部分代谢缓解" },
  "scale.pet.NMR": { en: "NMR — no metabolic response", zh: "NMR — 无代谢反应" },
  "scale.pet.PMD": { en: "PMD — progressive metabolic disease", zh: "PMD — 代谢性疾病进展" },
  "scale.mrd.NEG": { en: "MRD negative", zh: "MRD 阴性" },
  "scale.mrd.POS": { en: "MRD positive", zh: "MRD 阳性" },
  "scale.mrd.NE": { en: "MRD not evaluable", zh: "MRD 不可评估" },

  // Widgets
  "field.yes": { en: "Yes", zh: "是" },
  "field.no": { en: "No", zh: "否" },
  "field.select": { en: "— select —", zh: "— 请选择 —" },
  "field.special": { en: "Special value: not done, missing code or BLQ", zh: "特殊值：未做、缺失代码或 BLQ" },
  "field.special.value": { en: "…", zh: "…" },
  "field.special.not_done": { en: "Not done", zh: "未做" },
  "field.special.blq": { en: "Below LOQ (BLQ)", zh: "低于定量限（BLQ）" },
  "field.code.ND": { en: "ND – not done", zh: "ND – 未做" },
  "field.code.UNK": { en: "UNK – unknown", zh: "UNK – 不详" },
  "field.code.NA": { en: "NA – not applicable", zh: "NA – 不适用" },
  "field.code.NASK": { en: "NASK – not asked", zh: "NASK – 未询问" },
  "field.reason": { en: "Reason not done", zh: "未做原因" },
  "field.lloq": { en: "Limit of quantification", zh: "定量下限" },
  "field.date.placeholder": { en: "YYYY-MM-DD", zh: "YYYY-MM-DD" },
  "field.date.partial.placeholder": { en: "YYYY-MM-DD, YYYY-MM or YYYY", zh: "YYYY-MM-DD、YYYY-MM 或 YYYY" },
  "field.datetime.placeholder": { en: "YYYY-MM-DD HH:MM", zh: "YYYY-MM-DD HH:MM" },
  "field.time.placeholder": { en: "HH:MM", zh: "HH:MM" },
  "field.offset": { en: "UTC{offset}", zh: "UTC{offset}" },
  "field.choice.hint": { en: "Type the first letter or number of a choice; Delete clears.", zh: "输入选项的首字母或序号；Delete 键清除。" },

  // Dialogs
  "reason.title": { en: "Reason for change", zh: "修改原因" },
  "reason.text": { en: "This form is complete. Changing it needs a reason, recorded in the audit trail.", zh: "此表单已完成。修改需要填写原因，原因将记录在稽查轨迹中。" },
  "reason.label": { en: "Reason for change", zh: "修改原因" },
  "reason.ok": { en: "Save with this reason", zh: "按此原因保存" },
  "reason.empty": { en: "Please enter a reason.", zh: "请填写原因。" },
  "unlock.title": { en: "Session locked", zh: "会话已锁定" },
  "unlock.text": { en: "The session locked after inactivity. Enter your password to continue; nothing you typed is lost.", zh: "由于长时间未操作，会话已锁定。请输入密码继续，已输入的内容不会丢失。" },
  "unlock.user": { en: "User: {name}", zh: "用户：{name}" },
  "unlock.button": { en: "Unlock", zh: "解锁" },
  "unlock.logout": { en: "Log out instead", zh: "改为退出登录" },
  "unlock.failed": { en: "Not unlocked: {msg}", zh: "未能解锁：{msg}" },
  "unlock.done": { en: "Unlocked.", zh: "已解锁。" },

  // Signatures (21 CFR 11.50: printed name, date and time, meaning)
  "sign.button": { en: "Sign…", zh: "签名…" },
  "sign.button.title": { en: "Sign this form electronically with your password", zh: "使用密码对本表单进行电子签名" },
  "sign.event": { en: "Sign event…", zh: "签署访视…" },
  "sign.event.title": { en: "Sign every form of {event} with your password", zh: "使用密码签署“{event}”的全部表单" },
  "sign.subject": { en: "Sign casebook…", zh: "签署病例…" },
  "sign.subject.title": { en: "Sign the whole casebook of {subject} with your password", zh: "使用密码签署受试者 {subject} 的全部病例" },
  "sign.title": { en: "Electronic signature", zh: "电子签名" },
  "sign.scope.form": { en: "the form {form}, {event}, subject {subject}", zh: "受试者 {subject} {event} 的“{form}”表单" },
  "sign.scope.event": { en: "all forms of {event}, subject {subject}", zh: "受试者 {subject} {event} 的全部表单" },
  "sign.scope.subject": { en: "the whole casebook of subject {subject}", zh: "受试者 {subject} 的全部病例" },
  "sign.meaning": { en: "Meaning of the signature", zh: "签名含义" },
  "sign.meaning.authorship": { en: "Authorship", zh: "作者" },
  "sign.meaning.authorship.text": { en: "I entered or am responsible for these data.", zh: "本人录入了这些数据或对其负责。" },
  "sign.meaning.review": { en: "Review", zh: "审阅" },
  "sign.meaning.review.text": { en: "I have reviewed these data.", zh: "本人已审阅这些数据。" },
  "sign.meaning.approval": { en: "Approval", zh: "批准" },
  "sign.meaning.approval.text": { en: "I approve these data as accurate and complete.", zh: "本人确认这些数据准确、完整并予以批准。" },
  "sign.statement": {
    en: "By entering my password I sign {scope} as {name} ({meaning}). This signature is the legally binding equivalent of my handwritten signature.",
    zh: "输入密码即表示本人 {name} 以“{meaning}”的含义签署{scope}。此电子签名与本人手写签名具有同等法律效力。",
  },
  "sign.password": { en: "Password", zh: "密码" },
  "sign.ok": { en: "Sign", zh: "签名" },
  "sign.busy": { en: "Signing…", zh: "正在签名…" },
  "sign.passwordMissing": { en: "Enter your password to sign.", zh: "请输入密码以签名。" },
  "sign.wrongPassword": { en: "The password is wrong. Nothing was signed; try again.", zh: "密码错误，未签名，请重新输入。" },
  "sign.incomplete": { en: "Not signed: {n} form(s) not complete yet ({forms}). Complete them first.", zh: "未签名：尚有 {n} 份表单未完成（{forms}），请先完成。" },
  "sign.forbidden": { en: "Only an investigator may sign.", zh: "只有研究者可以签名。" },
  "sign.failed": { en: "Not signed: {msg}", zh: "未签名：{msg}" },
  "sign.done": { en: "Signed ({meaning}) by {name}.", zh: "已签名（{meaning}），签名人：{name}。" },
  "sign.notComplete": { en: "Only a complete form can be signed.", zh: "只有已完成的表单才能签名。" },
  "sig.panel": { en: "Signatures", zh: "签名" },
  "sig.none": { en: "Not signed.", zh: "尚未签名。" },
  "sig.line": { en: "{name} · {meaning} · {at}", zh: "{name} · {meaning} · {at}" },
  "sig.scope.form": { en: "this form", zh: "本表单" },
  "sig.scope.event": { en: "event {event}", zh: "访视 {event}" },
  "sig.scope.subject": { en: "whole casebook", zh: "整份病例" },
  "sig.scope.study": { en: "whole study", zh: "整个研究" },
  "sig.ok": { en: "Signature valid", zh: "签名有效" },
  "sig.broken": { en: "Signature broken — the data changed after signing; sign again", zh: "签名已失效——签名后数据已更改，请重新签名" },
  "sig.cell.signed": { en: "Signed", zh: "已签名" },
  "sig.cell.broken": { en: "Signature broken", zh: "签名已失效" },

  // Queries
  "query.panel": { en: "Queries", zh: "质疑" },
  "query.none": { en: "No open queries.", zh: "没有未关闭的质疑。" },
  "query.count": { en: "{n} open", zh: "{n} 条待回复" },
  "query.status.open": { en: "Open", zh: "待回复" },
  "query.status.answered": { en: "Answered", zh: "已回复" },
  "query.status.closed": { en: "Closed", zh: "已关闭" },
  "query.rule": { en: "Edit check {rule}", zh: "逻辑核查 {rule}" },
  "query.manual": { en: "Raised by a person", zh: "人工质疑" },
  "query.by": { en: "Opened by {user}, {at}", zh: "{user} 于 {at} 发起" },
  "query.form": { en: "Whole form", zh: "整份表单" },
  "query.item": { en: "Query", zh: "质疑" },

  // PDF export
  "export.button": { en: "Export PDF…", zh: "导出 PDF…" },
  "export.form.title": { en: "Save this form as a PDF", zh: "将本表单导出为 PDF" },
  "export.casebook.title": { en: "Save the whole casebook as a PDF", zh: "将整份病例导出为 PDF" },
  "export.title": { en: "Export PDF", zh: "导出 PDF" },
  "export.what": { en: "Export {scope}.", zh: "导出{scope}。" },
  "export.lang": { en: "Language", zh: "语言" },
  "export.lang.en": { en: "English", zh: "英文" },
  "export.lang.zh": { en: "Chinese", zh: "中文" },
  "export.lang.both": { en: "English and Chinese", zh: "中英文对照" },
  "export.signAs": { en: "Sign as me", zh: "以我的身份签名" },
  "export.signAs.text": { en: "The PDF carries my electronic signature.", zh: "PDF 将带有本人的电子签名。" },
  "export.ok": { en: "Choose where to save…", zh: "选择保存位置…" },
  "export.busy": { en: "Exporting…", zh: "正在导出…" },
  "export.saved": { en: "Saved {kb} KB to {path}", zh: "已保存 {kb} KB 至 {path}" },
  "export.failed": { en: "Not exported: {msg}", zh: "导出失败：{msg}" },
  "export.notPdf": { en: "The file name must end in .pdf.", zh: "文件名必须以 .pdf 结尾。" },

  // Sync bundles
  "nav.sync": { en: "Sync", zh: "数据同步" },
  "nav.sync.title": { en: "Send and receive sync bundles, trusted computers, conflicts", zh: "发送和接收同步数据包、受信任的计算机、数据冲突" },
  "sync.heading": { en: "Sync", zh: "数据同步" },
  "sync.intro.site": {
    en: "Data travels between this site and the central office as signed bundle files (.ecrfb), on a USB stick or by secure transfer.",
    zh: "本研究中心与中心数据管理之间通过带签名的数据包文件（.ecrfb）交换数据，可使用 U 盘或安全传输方式。",
  },
  "sync.intro.central": {
    en: "Sites send their data as signed bundle files (.ecrfb); each site gets a return bundle with the central office's changes.",
    zh: "各研究中心以带签名的数据包文件（.ecrfb）发送数据；中心数据管理为每个研究中心生成回传数据包。",
  },
  "sync.tabs": { en: "Sync sections", zh: "同步功能" },
  "sync.tab.transfer": { en: "Send and receive", zh: "发送与接收" },
  "sync.tab.history": { en: "Import history", zh: "导入记录" },
  "sync.tab.nodes": { en: "Computers", zh: "计算机" },
  "sync.tab.conflicts": { en: "Conflicts", zh: "数据冲突" },
  "sync.tab.conflictsN": { en: "Conflicts ({n})", zh: "数据冲突（{n}）" },
  "sync.central": { en: "Central office", zh: "中心数据管理" },
  "sync.central.inText": { en: "the central office", zh: "中心数据管理" },
  "sync.site": { en: "Site {site}", zh: "研究中心 {site}" },
  "sync.nodeShort": { en: "node {id}", zh: "节点 {id}" },
  "sync.fromNode": { en: "{who} (node {id})", zh: "{who}（节点 {id}）" },
  "sync.loadError": { en: "Could not load: {msg}", zh: "无法加载：{msg}" },
  "sync.changes.one": { en: "{n} change", zh: "{n} 条变更" },
  "sync.changes.other": { en: "{n} changes", zh: "{n} 条变更" },
  "sync.andPdfs": { en: "{events} and {pdfs}", zh: "{events}和 {pdfs}" },
  "sync.copy": { en: "Copy", zh: "复制" },
  "sync.copy.title": { en: "Copy the whole fingerprint", zh: "复制完整指纹" },
  "sync.copied": { en: "Fingerprint copied.", zh: "指纹已复制。" },

  // Sync: export
  "sync.export.site": { en: "Send data to the central office", zh: "向中心数据管理发送数据" },
  "sync.export.site.text": {
    en: "Saves the changes made on this computer that the central office has not yet confirmed into one signed file.",
    zh: "将本机上中心数据管理尚未确认接收的变更保存为一个带签名的文件。",
  },
  "sync.export.central": { en: "Send a return bundle to a site", zh: "向研究中心发送回传数据包" },
  "sync.export.central.text": {
    en: "Saves what the chosen site has not yet confirmed (queries, resolutions, definition changes, other computers' data of that site) into one signed file.",
    zh: "将所选研究中心尚未确认接收的内容（质疑、冲突处理、研究定义变更、该中心其他计算机的数据）保存为一个带签名的文件。",
  },
  "sync.export.to": { en: "Destination", zh: "发送给" },
  "sync.export.noSites": {
    en: "No site is known yet: a site's key is accepted when its first bundle is imported here.",
    zh: "尚无已知的研究中心：导入某研究中心的第一个数据包时即接受其密钥。",
  },
  "sync.export.full": { en: "Everything (full)", zh: "全部数据（完整）" },
  "sync.export.full.text": {
    en: "All data, not only what is new; only when the other side asks for it.",
    zh: "导出全部数据而不仅是新增部分；仅在对方要求时使用。",
  },
  "sync.export.button": { en: "Save bundle…", zh: "保存数据包…" },
  "sync.export.busy": { en: "Saving the bundle…", zh: "正在保存数据包…" },
  "sync.export.done": { en: "Saved {file}: {contents} ({kb} KB).", zh: "已保存 {file}：{contents}（{kb} KB）。" },
  "sync.export.empty": {
    en: "Saved {file}. It holds no changes: everything up to now has been confirmed.",
    zh: "已保存 {file}。其中没有新的变更：目前为止的数据均已被确认接收。",
  },
  "sync.export.failed": { en: "Not saved: {msg}", zh: "未保存：{msg}" },
  "sync.export.notBundle": { en: "The file name must end in .ecrfb.", zh: "文件名必须以 .ecrfb 结尾。" },
  "sync.export.chooseSite": { en: "Choose the site to send to.", zh: "请选择要发送的研究中心。" },

  // Sync: import
  "sync.import.site": { en: "Receive a return bundle", zh: "接收回传数据包" },
  "sync.import.central": { en: "Import site bundles", zh: "导入研究中心数据包" },
  "sync.import.text": {
    en: "Choose one or more .ecrfb files. Each is checked (signature, sender, contents) before anything changes; a refused file changes nothing.",
    zh: "选择一个或多个 .ecrfb 文件。每个文件在写入前都会先核验（签名、发送方、内容）；被拒绝的文件不会改变任何数据。",
  },
  "sync.import.button": { en: "Choose files…", zh: "选择文件…" },
  "sync.import.busy": { en: "Importing…", zh: "正在导入…" },
  "sync.import.checking": { en: "File {i} of {n}: checking the signature and contents of {file}…", zh: "第 {i}/{n} 个文件：正在核验 {file} 的签名和内容…" },
  "sync.import.progress": { en: "File {i} of {n}: {file} — {done} of {total} changes", zh: "第 {i}/{n} 个文件：{file} — 已处理 {done}/{total} 条变更" },
  "sync.import.progress.label": { en: "Import progress", zh: "导入进度" },
  "sync.import.results": { en: "Result", zh: "导入结果" },
  "sync.import.doneAll": { en: "{n} bundle(s) imported.", zh: "已导入 {n} 个数据包。" },
  "sync.import.doneSome": { en: "{ok} bundle(s) imported, {refused} refused.", zh: "已导入 {ok} 个数据包，{refused} 个被拒绝。" },
  "sync.import.failed": { en: "Not imported: {msg}", zh: "未导入：{msg}" },

  // Sync: one summary card per bundle
  "sync.sum.imported": { en: "Imported from {from}", zh: "已从{from}导入" },
  "sync.sum.created": { en: "created {at}", zh: "创建于 {at}" },
  "sync.sum.refused": { en: "Refused", zh: "已拒绝" },
  "sync.sum.nothingChanged": { en: "Nothing was changed.", zh: "未更改任何数据。" },
  "sync.sum.nothingNew": { en: "Nothing new: all {n} changes were already here", zh: "没有新内容：全部 {n} 条变更本机均已存在" },
  "sync.sum.new.one": { en: "{n} new change", zh: "{n} 条新变更" },
  "sync.sum.new.other": { en: "{n} new changes", zh: "{n} 条新变更" },
  "sync.sum.duplicate": { en: "{n} already here", zh: "{n} 条本机已有" },
  "sync.sum.pending": { en: "{n} waiting for an earlier bundle", zh: "{n} 条等待更早的数据包" },
  "sync.sum.released.one": { en: "{n} change that was waiting now applied", zh: "{n} 条此前等待的变更现已生效" },
  "sync.sum.released.other": { en: "{n} changes that were waiting now applied", zh: "{n} 条此前等待的变更现已生效" },
  "sync.sum.conflicts.one": { en: "{n} conflict to resolve", zh: "{n} 处冲突待处理" },
  "sync.sum.conflicts.other": { en: "{n} conflicts to resolve", zh: "{n} 处冲突待处理" },
  "sync.sum.future": { en: "{n} dated in the future (flagged)", zh: "{n} 条时间晚于当前时间（已标记）" },
  "sync.sum.pdfs.one": { en: "{n} signed PDF", zh: "{n} 份已签名 PDF" },
  "sync.sum.pdfs.other": { en: "{n} signed PDFs", zh: "{n} 份已签名 PDF" },
  "sync.sum.accepted": { en: "The sending computer's key was accepted with this import.", zh: "本次导入同时接受了发送方计算机的密钥。" },
  "sync.sum.subjects": { en: "Subjects: {list}", zh: "涉及受试者：{list}" },
  "sync.sum.definitions": { en: "Study definition {list} now in use.", zh: "研究定义 {list} 现已启用。" },
  "sync.sum.gaps": {
    en: "An earlier bundle from this sender has not been imported yet: ask for it, or for a full bundle.",
    zh: "该发送方有更早的数据包尚未导入：请索取该数据包或完整数据包。",
  },
  "sync.sum.pendingHint": {
    en: "Waiting changes join the record by themselves once the earlier bundle is imported.",
    zh: "导入更早的数据包后，等待中的变更会自动写入记录。",
  },
  "sync.sum.conflictsHint": { en: "See Conflicts.", zh: "请查看“数据冲突”。" },
  "sync.refused.unknown": {
    en: "It comes from a computer this one does not know yet: {from}.",
    zh: "该数据包来自本机尚不认识的计算机：{from}。",
  },
  "sync.refused.revoked": { en: "It is signed by a computer whose key was revoked: {detail}", zh: "其签名所用计算机的密钥已被吊销：{detail}" },
  "sync.refused.otherNode": { en: "It was made for another computer.", zh: "该数据包是为另一台计算机生成的。" },
  "sync.refused.ownNode": { en: "It was made on this computer.", zh: "该数据包是本机生成的。" },
  "sync.refused.otherStudy": { en: "It belongs to another study.", zh: "该数据包属于其他研究。" },
  "sync.refused.siteToSite": { en: "A site imports bundles from the central office only.", zh: "研究中心只能导入来自中心数据管理的数据包。" },
  "sync.refused.centralToCentral": { en: "The central office imports bundles from sites only.", zh: "中心数据管理只能导入来自研究中心的数据包。" },
  "sync.refused.details": { en: "Details", zh: "详细信息" },
  "sync.accept.button": { en: "Check the key and accept…", zh: "核对密钥并接受…" },
  "sync.accept.askDm": {
    en: "Ask the data manager or the administrator to check this computer's key and accept it.",
    zh: "请联系数据管理员或系统管理员核对并接受该计算机的密钥。",
  },

  // Sync: accepting a new computer's key
  "accept.title": { en: "Accept a new computer's key", zh: "接受新计算机的密钥" },
  "accept.what": {
    en: "{file} was signed by {from}, created {at}, with {contents}.",
    zh: "{file} 由{from}签名，创建于 {at}，包含 {contents}。",
  },
  "accept.fingerprint": { en: "Key fingerprint", zh: "密钥指纹" },
  "accept.warning": {
    en: "Phone the sender and have them read out the fingerprint shown on their computer (Sync → Computers → This computer). Accept only if every character matches: from now on, bundles signed with this key are imported without asking.",
    zh: "请致电发送方，请对方读出其计算机上显示的指纹（数据同步 → 计算机 → 本机）。只有每个字符都一致时才可接受：此后以该密钥签名的数据包将直接导入，不再询问。",
  },
  "accept.check": { en: "I have checked the fingerprint with the sender by phone", zh: "我已通过电话与发送方核对了指纹" },
  "accept.checkMissing": { en: "Confirm that you checked the fingerprint first.", zh: "请先确认您已核对指纹。" },
  "accept.ok": { en: "Accept and import", zh: "接受并导入" },
  "accept.loading": { en: "Reading the bundle…", zh: "正在读取数据包…" },

  // Sync: import history
  "history.col.file": { en: "File", zh: "文件" },
  "history.col.from": { en: "From", zh: "来自" },
  "history.col.created": { en: "Created", zh: "创建时间" },
  "history.col.imported": { en: "Imported", zh: "导入时间" },
  "history.col.by": { en: "By", zh: "导入人" },
  "history.col.new": { en: "New", zh: "新增" },
  "history.col.duplicate": { en: "Already here", zh: "本机已有" },
  "history.col.pending": { en: "Waiting", zh: "等待中" },
  "history.col.pdfs": { en: "PDFs", zh: "PDF" },
  "history.empty": { en: "No bundle has been imported on this computer yet.", zh: "本机尚未导入任何数据包。" },
  "history.count": { en: "{n} bundles imported", zh: "共导入 {n} 个数据包" },

  // Sync: computers (nodes)
  "nodes.me": { en: "This computer", zh: "本机" },
  "nodes.me.text": {
    en: "Read this fingerprint out when the other side asks you to confirm your key.",
    zh: "对方要求核对密钥时，请读出此指纹。",
  },
  "nodes.known": { en: "Known computers", zh: "已知计算机" },
  "nodes.col.who": { en: "Site", zh: "研究中心" },
  "nodes.col.node": { en: "Node", zh: "节点" },
  "nodes.col.fingerprint": { en: "Key fingerprint", zh: "密钥指纹" },
  "nodes.col.status": { en: "Status", zh: "状态" },
  "nodes.col.accepted": { en: "Accepted", zh: "接受时间" },
  "nodes.col.received": { en: "Received from it", zh: "已从其接收" },
  "nodes.col.acknowledged": { en: "It has confirmed", zh: "其已确认接收" },
  "nodes.status.accepted": { en: "Trusted", zh: "受信任" },
  "nodes.status.revoked": { en: "Revoked", zh: "已吊销" },
  "nodes.acceptedBy": { en: "{at} by {user}", zh: "{at}，{user}" },
  "nodes.revokedOn": { en: "{at}: {reason}", zh: "{at}：{reason}" },
  "nodes.stream.all": { en: "study-wide", zh: "全研究" },
  "nodes.received": { en: "{stream} up to no. {n}", zh: "{stream}至第 {n} 条" },
  "nodes.acked": { en: "{stream}: {n} of {total}", zh: "{stream}：{n}/{total}" },
  "nodes.epoch": { en: "{stream} (restart {e})", zh: "{stream}（第 {e} 次恢复）" },
  "nodes.nothing": { en: "nothing yet", zh: "尚无" },
  "nodes.empty": {
    en: "No other computer is known yet: its key is accepted when its first bundle is imported.",
    zh: "尚无其他已知计算机：导入其第一个数据包时即接受其密钥。",
  },
  "nodes.revoke": { en: "Revoke…", zh: "吊销…" },
  "nodes.revoke.title": { en: "Revoke the key of {who}", zh: "吊销{who}的密钥" },
  "nodes.revoke.text": {
    en: "Bundles signed with this key are refused from now on (a lost or stolen laptop). What was already imported from it stays.",
    zh: "此后以该密钥签名的数据包都将被拒绝（例如笔记本电脑丢失或被盗）。已从其导入的数据保持不变。",
  },
  "nodes.revoke.reason": { en: "Reason", zh: "原因" },
  "nodes.revoke.ok": { en: "Revoke key", zh: "吊销密钥" },
  "nodes.revoke.reasonMissing": { en: "A reason is required.", zh: "必须填写原因。" },
  "nodes.revoke.done": { en: "The key of {who} was revoked.", zh: "{who}的密钥已吊销。" },
  "nodes.revoke.failed": { en: "Not revoked: {msg}", zh: "未吊销：{msg}" },

  // Sync: conflicts
  "conflicts.intro": {
    en: "The same value was changed in two places before either saw the other's change. Both values are kept; the data manager chooses which holds, with a reason.",
    zh: "同一数据在两处被修改，且双方修改前都未看到对方的修改。两个值都已保留；由数据管理员选定有效值并填写原因。",
  },
  "conflicts.empty": { en: "No conflicts.", zh: "没有数据冲突。" },
  "conflicts.col.subject": { en: "Subject", zh: "受试者编号" },
  "conflicts.col.item": { en: "Item", zh: "数据项" },
  "conflicts.col.values": { en: "Competing values", zh: "冲突的值" },
  "conflicts.by": { en: "{user}, {at}", zh: "{user}，{at}" },
  "conflicts.imported": { en: "received {at}", zh: "接收于 {at}" },
  "conflicts.shown": { en: "shown now", zh: "当前显示" },
  "conflicts.shown.title": { en: "The value the forms show until the conflict is resolved", zh: "冲突处理前表单中显示的值" },
  "conflicts.flagged": { en: "future time", zh: "时间异常" },
  "conflicts.flagged.title": {
    en: "Stamped implausibly far in the future (a wrong clock?): it never wins a conflict by itself",
    zh: "时间戳远晚于当前时间（时钟可能有误）：此值不会自动胜出",
  },
  "conflicts.resolution": { en: "earlier resolution", zh: "此前的处理结果" },
  "conflicts.empty.value": { en: "(empty)", zh: "（空）" },
  "conflicts.row": { en: "row {n}", zh: "第 {n} 行" },
  "conflicts.resolve": { en: "Resolve…", zh: "处理…" },
  "resolve.title": { en: "Resolve conflict: {item}", zh: "处理冲突：{item}" },
  "resolve.context": { en: "Subject {subject} · {where}", zh: "受试者 {subject} · {where}" },
  "resolve.choose": { en: "Value that holds", zh: "有效值" },
  "resolve.other": { en: "Another value:", zh: "其他值：" },
  "resolve.reason": { en: "Reason", zh: "原因" },
  "resolve.reasonMissing": { en: "A reason is required.", zh: "必须填写原因。" },
  "resolve.valueMissing": { en: "Choose one of the values or enter another.", zh: "请选择其中一个值或填写其他值。" },
  "resolve.text": {
    en: "Your choice supersedes every competing value and goes back to the site with the next return bundle.",
    zh: "您的选择将取代所有冲突的值，并随下一个回传数据包发回研究中心。",
  },
  "resolve.ok": { en: "Record resolution", zh: "确认处理" },
  "resolve.done": { en: "Conflict on {item} resolved.", zh: "“{item}”的冲突已处理。" },
  "resolve.failed": { en: "Not resolved: {msg}", zh: "未处理：{msg}" },

  // Drafts: typed input kept on every change
  "draft.restored": { en: "Restored input you had not saved ({time}).", zh: "已恢复您未保存的输入（{time}）。" },
  "draft.restored.hint": { en: "Check it, then save — or discard it.", zh: "请核对后保存，或放弃这些输入。" },
  "draft.discard": { en: "Discard", zh: "放弃" },
  "draft.discard.title": { en: "Forget this input and show the saved values again", zh: "放弃这些输入，恢复显示已保存的值" },
  "draft.discarded": { en: "The unsaved input was discarded.", zh: "已放弃未保存的输入。" },
  "draft.kept": { en: "kept as a draft", zh: "已自动暂存" },
  "draft.notKept": { en: "not kept as a draft", zh: "未能暂存" },
  "draft.kept.title": {
    en: "What you type is kept on this computer within a second, even if the app closes; saving the form removes the draft.",
    zh: "您输入的内容会在一秒内暂存在本机，即使程序关闭也不会丢失；保存表单后暂存内容即被清除。",
  },
  "draft.failed": { en: "Your input could not be kept as a draft: {msg}", zh: "无法暂存您的输入：{msg}" },
  "drafts.heading": { en: "Unsaved input", zh: "未保存的输入" },
  "drafts.text": { en: "Forms with input you have not saved yet. Open one to check and save it.", zh: "以下表单有您尚未保存的输入，打开后请核对并保存。" },
  "drafts.item": { en: "{subject} · {event} · {form}", zh: "{subject} · {event} · {form}" },
  "drafts.when": { en: "kept {time}", zh: "暂存于 {time}" },
  "form.leave.keep": { en: "Leave (keep the draft)", zh: "离开（保留暂存）" },
  "form.leave.discard": { en: "Discard the changes", zh: "放弃更改" },
  "form.leave.draftText": {
    en: "They are kept as a draft on this computer and come back when you open this form again.",
    zh: "这些更改已暂存在本机，再次打开此表单时会自动恢复。",
  },

  // Locks and source data verification
  "lock.banner": { en: "{what} locked by {user} since {at}.", zh: "{what}已由 {user} 于 {at} 锁定。" },
  "lock.reason": { en: "Reason: {reason}", zh: "原因：{reason}" },
  "lock.readOnly": { en: "Nothing can be changed until the data manager unlocks it.", zh: "数据管理员解锁前不能做任何修改。" },
  "lock.scope.form": { en: "This form is", zh: "本表单" },
  "lock.scope.event": { en: "{event} is", zh: "{event}" },
  "lock.scope.subject": { en: "This subject's casebook is", zh: "该受试者的病例" },
  "lock.scope.study": { en: "The whole study is", zh: "整个研究" },
  "sdv.form": { en: "Source data verified", zh: "源数据已核查" },
  "sdv.form.title": { en: "Source data verified by {user}, {at}", zh: "源数据已由 {user} 于 {at} 核查" },
  "sdv.item": { en: "verified", zh: "已核查" },
  "sdv.item.title": { en: "Source data verified for this value", zh: "该值的源数据已核查" },

  // Query threads
  "query.thread.query_opened": { en: "{user} asked, {at}", zh: "{user} 于 {at} 提出" },
  "query.thread.query_answered": { en: "{user} answered, {at}", zh: "{user} 于 {at} 回复" },
  "query.thread.query_closed": { en: "{user} closed, {at}", zh: "{user} 于 {at} 关闭" },
  "query.thread.query_reopened": { en: "{user} re-opened, {at}", zh: "{user} 于 {at} 重新开启" },
  "query.answer.label": { en: "Your answer", zh: "您的回复" },
  "query.answer.send": { en: "Send answer", zh: "发送回复" },
  "query.answer.more": { en: "Add to the answer…", zh: "补充回复…" },
  "query.answer.hint": { en: "Enter sends, Shift+Enter starts a new line.", zh: "回车发送，Shift+回车换行。" },
  "query.answer.empty": { en: "Write an answer first.", zh: "请先填写回复。" },
  "query.answer.done": { en: "Answer sent.", zh: "回复已发送。" },
  "query.answer.failed": { en: "Answer not sent: {msg}", zh: "回复未发送：{msg}" },
  "query.closedN": { en: "{n} closed", zh: "{n} 条已关闭" },
  "query.row": { en: "row {n}", zh: "第 {n} 行" },

  // Item history (the audit trail of one item)
  "itemHistory.button.title": { en: "History of this item (Alt+H)", zh: "该数据项的修改记录（Alt+H）" },
  "itemHistory.title": { en: "History: {label}", zh: "修改记录：{label}" },
  "itemHistory.where": { en: "Subject {subject} · {event} · {form}", zh: "受试者 {subject} · {event} · {form}" },
  "itemHistory.col.when": { en: "When", zh: "时间" },
  "itemHistory.col.who": { en: "Who", zh: "操作人" },
  "itemHistory.col.change": { en: "Change", zh: "修改内容" },
  "itemHistory.col.reason": { en: "Reason", zh: "原因" },
  "itemHistory.empty": { en: "No change of this item has been recorded yet.", zh: "该数据项尚无修改记录。" },
  "itemHistory.emptyValue": { en: "(empty)", zh: "（空）" },
  "itemHistory.query_opened": { en: "Query: {text}", zh: "质疑：{text}" },
  "itemHistory.query_answered": { en: "Answer: {text}", zh: "回复：{text}" },
  "itemHistory.query_closed": { en: "Query closed: {text}", zh: "质疑关闭：{text}" },
  "itemHistory.query_reopened": { en: "Query re-opened: {text}", zh: "质疑重新开启：{text}" },
  "itemHistory.sdvWithdrawn": { en: "Source data verification withdrawn", zh: "撤销源数据核查" },
  "itemHistory.received": { en: "received {at}", zh: "接收于 {at}" },
  "itemHistory.failed": { en: "Could not load the history: {msg}", zh: "无法加载修改记录：{msg}" },
  "itemHistory.none": { en: "Put the cursor in a field first, then press Alt+H.", zh: "请先将光标置于某一字段，再按 Alt+H。" },
  "common.close": { en: "Close", zh: "关闭" },

  // Rows of repeating groups
  "form.removeRow.confirmTitle": { en: "Remove row {n}?", zh: "删除第 {n} 行？" },
  "form.removeRow.confirmText": {
    en: "Row {n} of “{group}” and its values will be removed. Values already saved stay in the audit trail.",
    zh: "将删除“{group}”的第 {n} 行及其数据。已保存的值仍保留在稽查轨迹中。",
  },
  "form.removeRow.ok": { en: "Remove row", zh: "删除该行" },
  "form.removed": { en: "Row {n} removed; save the form to record it.", zh: "已删除第 {n} 行；保存表单后生效。" },

  // Casebook cells and legend
  "cell.queries.one": { en: "{n} query", zh: "{n} 条质疑" },
  "cell.queries.other": { en: "{n} queries", zh: "{n} 条质疑" },
  "cell.locked": { en: "Locked", zh: "已锁定" },
  "cell.verified": { en: "Verified", zh: "已核查" },
  "cell.draft": { en: "Unsaved input", zh: "有未保存输入" },
  "casebook.legend.title": { en: "Legend", zh: "图例" },
  "casebook.legend.queries": { en: "Open queries (count)", zh: "未关闭质疑（条数）" },
  "casebook.legend.verified": { en: "Source data verified", zh: "源数据已核查" },
  "casebook.keys": {
    en: "Arrow keys move between cells · type the start of a form's name to jump to its row · Enter opens the form",
    zh: "方向键在单元格间移动 · 输入表单名称（或代码）的开头可跳到该行 · 回车打开表单",
  },

  // Investigator's queue of forms awaiting signature
  "nav.home": { en: "Home", zh: "首页" },
  "nav.home.title": { en: "Queries, conflicts, verification, locks and imports at a glance", zh: "质疑、冲突、源数据核查、锁定和导入概况" },
  "nav.queries": { en: "Queries", zh: "质疑" },
  "nav.queries.title": { en: "Queries with their threads: answer, close or re-open", zh: "数据质疑及其往来记录：回复、关闭或重新开启" },
  "nav.reports": { en: "Reports", zh: "报告" },
  "nav.reports.title": { en: "Endpoint and PK reports", zh: "终点和药代动力学报告" },
  "nav.exports": { en: "Exports", zh: "导出" },
  "nav.exports.title": { en: "CDISC ODM, CSV and PDF exports", zh: "CDISC ODM、CSV 和 PDF 导出" },
  "nav.queue": { en: "To sign", zh: "待签名" },
  "nav.queue.title": { en: "Completed forms awaiting your signature", zh: "等待您签名的已完成表单" },
  "queue.heading": { en: "Forms awaiting signature", zh: "待签名表单" },
  "queue.intro": {
    en: "Completed forms not yet signed, and forms whose signature broke because their data changed. Enter on a row opens the form; S signs it.",
    zh: "尚未签名的已完成表单，以及因数据更改而签名失效的表单。在某行按回车打开表单，按 S 签名。",
  },
  "queue.count": { en: "{forms} of {subjects}", zh: "{subjects}的 {forms}" },
  "queue.forms.one": { en: "{n} form", zh: "{n} 份表单" },
  "queue.forms.other": { en: "{n} forms", zh: "{n} 份表单" },
  "queue.subjects.one": { en: "{n} subject", zh: "{n} 名受试者" },
  "queue.subjects.other": { en: "{n} subjects", zh: "{n} 名受试者" },
  "queue.broken": { en: "{n} with a broken signature", zh: "其中 {n} 份签名已失效" },
  "queue.empty": { en: "Nothing to sign: every completed form carries a valid signature.", zh: "没有待签名的表单：所有已完成的表单都有有效签名。" },
  "queue.col.event": { en: "Visit", zh: "访视" },
  "queue.col.form": { en: "Form", zh: "表单" },
  "queue.col.state": { en: "Signature", zh: "签名状态" },
  "queue.state.unsigned": { en: "Not signed", zh: "未签名" },
  "queue.state.signature_broken": { en: "Signature broken — data changed after signing", zh: "签名已失效——签名后数据已更改" },
  "queue.open": { en: "Open", zh: "打开" },
  "queue.open.title": { en: "Open the form to review it (Enter)", zh: "打开表单进行审阅（回车）" },
  "queue.sign": { en: "Sign…", zh: "签名…" },
  "queue.sign.title": { en: "Sign this form with your password (S)", zh: "使用密码签署本表单（S）" },
  "queue.casebook": { en: "Casebook", zh: "病例" },
  "queue.casebook.title": { en: "Open the casebook of {subject}", zh: "打开 {subject} 的病例" },
  "queue.loadError": { en: "Could not load the forms awaiting signature: {msg}", zh: "无法加载待签名表单：{msg}" },

  // Keyboard help (F1 or ?)
  "help.button": { en: "Keys", zh: "快捷键" },
  "help.button.title": { en: "Keyboard shortcuts (F1)", zh: "键盘快捷键（F1）" },
  "help.title": { en: "Keyboard", zh: "键盘操作" },
  "help.intro": { en: "Everything can be done without the mouse.", zh: "所有操作都可以不用鼠标完成。" },
  "help.sec.everywhere": { en: "Everywhere", zh: "通用" },
  "help.sec.lists": { en: "Lists and the casebook", zh: "列表与病例" },
  "help.sec.form": { en: "Entering a form", zh: "填写表单" },
  "help.sec.dialogs": { en: "Dialogs", zh: "对话框" },
  "help.f1": { en: "This help", zh: "打开本帮助" },
  "help.back": { en: "Back to the previous screen", zh: "返回上一屏" },
  "help.tab": { en: "Next / previous control", zh: "下一个 / 上一个控件" },
  "help.lists.move": { en: "Move between rows (subjects, worklist, forms to sign)", zh: "在各行之间移动（受试者、待办访视、待签名表单）" },
  "help.lists.open": { en: "Open the row or cell", zh: "打开所选行或单元格" },
  "help.casebook.arrows": { en: "Move between the cells of the casebook", zh: "在病例单元格之间移动" },
  "help.casebook.type": { en: "Type the start of a form's name (or its code) to jump to its row", zh: "输入表单名称（或代码）的开头，跳到该行" },
  "help.form.enter": { en: "Next field; after the last field, to the Save button (Enter there saves)", zh: "下一项；最后一项之后跳到“保存”按钮（在按钮上按回车即保存）" },
  "help.form.shiftEnter": { en: "Previous field", zh: "上一项" },
  "help.form.choice": { en: "In a choice: first letter or number picks, Delete clears", zh: "选择题：输入首字母或序号选择，Delete 清除" },
  "help.form.date": { en: "Dates as YYYY-MM-DD (also 20240305, 2024/3/5); YYYY-MM or YYYY where a partial date is allowed; times HH:MM", zh: "日期格式 YYYY-MM-DD（也可输入 20240305、2024/3/5）；允许不完整日期时可填 YYYY-MM 或 YYYY；时间格式 HH:MM" },
  "help.form.addRow": { en: "Add a row to the table you are in (target lesions, prior lines of therapy, bridging agents…)", zh: "在当前表格中添加一行（靶病灶、既往治疗线、桥接用药等）" },
  "help.casebook.new": { en: "A new adverse event or medication: its row's “+ new” cell (e.g. type adv, then ↓ and Enter)", zh: "新增不良事件或合并用药：该行的“+ 新建”单元格（例如输入 adv，再按 ↓ 和回车）" },
  "help.form.removeRow": { en: "Remove the row you are in (asks first)", zh: "删除当前所在行（会先确认）" },
  "help.form.history": { en: "History of the field: every change, who, when, why", zh: "该字段的修改记录：每次修改的内容、人员、时间和原因" },
  "help.form.save": { en: "Save", zh: "保存" },
  "help.form.complete": { en: "Save and mark complete", zh: "保存并标记为完成" },
  "help.dialogs.enter": { en: "Confirm (in a reason, answer or password field)", zh: "确认（在原因、回复或密码输入框中）" },
  "help.dialogs.escape": { en: "Cancel and close", zh: "取消并关闭" },
  "help.key.enter": { en: "Enter", zh: "回车" },
  "help.key.shiftEnter": { en: "Shift+Enter", zh: "Shift+回车" },
  "help.key.ctrlEnter": { en: "Ctrl+Enter", zh: "Ctrl+回车" },
  "help.key.arrows": { en: "↑ ↓", zh: "↑ ↓" },
  "help.key.allArrows": { en: "← → ↑ ↓", zh: "← → ↑ ↓" },
  "help.key.letters": { en: "A–Z", zh: "A–Z" },
  "help.key.down": { en: "↓ + Enter", zh: "↓ + 回车" },

  // Errors by code
  "error.validation": { en: "Some values are not valid", zh: "部分数据不符合要求" },
  "error.reason_required": { en: "A reason for change is required", zh: "需要填写修改原因" },
  "error.unauthenticated": { en: "Please sign in again", zh: "请重新登录" },
  "error.session_locked": { en: "The session is locked", zh: "会话已锁定" },
  "error.forbidden": { en: "You are not allowed to do this", zh: "您无权执行此操作" },
  "error.not_found": { en: "Not found", zh: "未找到" },
  "error.exists": { en: "It already exists", zh: "已存在" },
  "error.invalid_input": { en: "The input is not valid", zh: "输入无效" },
  "error.io": { en: "The database could not be read or written", zh: "无法读写数据库" },
  "error.integrity": { en: "The data failed an integrity check; tell the data manager", zh: "数据完整性校验失败，请通知数据管理员" },
  "error.refused": { en: "The bundle was refused; nothing was changed", zh: "数据包被拒绝，未更改任何数据" },
  "error.busy": { en: "A sync bundle is being imported or exported; try again when it has finished", zh: "正在导入或导出同步数据包，请在完成后重试" },
  "error.locked": { en: "The data are locked by the data manager; nothing was changed", zh: "数据已被数据管理员锁定，未做任何更改" },
  "error.database_locked": { en: "The database is encrypted: enter its passphrase", zh: "数据库已加密：请输入其口令" },
  "db.heading": { en: "Encrypted database", zh: "加密数据库" },
  "db.explain": { en: "The study data on this computer are encrypted. Enter the site's database passphrase to open them; it is not stored.", zh: "本机的研究数据已加密。请输入本中心的数据库口令以打开；口令不会被保存。" },
  "db.passphrase": { en: "Database passphrase", zh: "数据库口令" },
  "db.open": { en: "Open", zh: "打开" },
  "db.busy": { en: "Opening…", zh: "正在打开…" },
  "db.missing": { en: "Enter the passphrase.", zh: "请输入口令。" },
  "error.internal": { en: "Something went wrong in the application", zh: "程序内部出错" },
} satisfies Record<string, Entry>;

/** Every string: the base screens' and the data manager's (queries, verification, locks,
 * reports and exports, in `i18n.dm.ts`). */
export const dict = { ...baseDict, ...dmDict };

export type Key = keyof typeof dict;

let current: Lang = initialLang();
const listeners = new Set<(l: Lang) => void>();

function initialLang(): Lang {
  try {
    const fromUrl = new URLSearchParams(globalThis.location?.search ?? "").get("lang");
    if (fromUrl === "en" || fromUrl === "zh") return fromUrl;
    const saved = globalThis.localStorage?.getItem("ecrf.lang");
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    /* no storage: default */
  }
  return "en";
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    globalThis.localStorage?.setItem("ecrf.lang", l);
  } catch {
    /* ignore */
  }
  if (typeof document !== "undefined") document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
  for (const f of listeners) f(l);
}

export function onLangChange(f: (l: Lang) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** A UI string in the current language, with `{name}` placeholders filled. */
export function t(key: Key, params?: Record<string, string | number>): string {
  const e: Entry | undefined = dict[key];
  let s = e ? e[current] : key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  }
  return s;
}

/** A study-definition text in the current language (falls back to the other language). */
export function tx(text: Text | null | undefined): string {
  if (!text) return "";
  return text[current] || text.en || text.zh || "";
}

/** Whether the UI key exists (for strings built from server codes, e.g. role or status). */
export function hasKey(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(dict, key);
}

/** A count in words: the key's `.one` text for 1, its `.other` text otherwise (or the key itself
 * when it has no such pair); `{n}` is the number, grouped as the language writes it. */
export function tn(key: string, n: number, params: Record<string, string | number> = {}): string {
  const k = `${key}.${n === 1 ? "one" : "other"}`;
  const use = hasKey(k) ? k : hasKey(key) ? key : null;
  if (!use) return key;
  return t(use, { ...params, n: num(n) });
}

/** A whole number grouped by thousands: "1 234" in English (a narrow no-break space), "1,234"
 * in Chinese. */
export function num(n: number): string {
  const s = Math.round(n).toLocaleString("en-US");
  return current === "zh" ? s : s.replace(/,/g, "\u202f");
}
