// The one place every UI string comes from. Form labels come from the study definition
// ({en, zh} objects, see `tx`); everything else is a key of `dict`.

import type { Lang } from "./bindings/Lang";
import type { Text } from "./bindings/Text";

type Entry = { en: string; zh: string };

export const dict = {
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
  "casebook.summary": { en: "Site {site} · enrolled {date} · {started} forms started, {complete} complete", zh: "研究中心 {site} · 入组 {date} · 已开始 {started} 份表单，已完成 {complete} 份" },
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
  "form.hint": { en: "Keys: Enter next field · Shift+Enter previous · Tab/Shift+Tab move · in a choice, type the first letter or number · Ctrl+Enter add a row · Ctrl+S save · Ctrl+Shift+S save & complete · Alt+← back", zh: "快捷键：回车 下一项 · Shift+回车 上一项 · Tab/Shift+Tab 移动 · 选择题可输入首字母或序号 · Ctrl+回车 添加一行 · Ctrl+S 保存 · Ctrl+Shift+S 保存并完成 · Alt+← 返回" },
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
  "form.removeRow.title": { en: "Remove row {n}", zh: "删除第 {n} 行" },
  "form.noRows": { en: "No rows yet.", zh: "尚无记录。" },
  "form.maxRows": { en: "At most {n} rows.", zh: "最多 {n} 行。" },
  "form.notApplicable": { en: "Does not apply to the current answers; clear this value.", zh: "根据当前回答此项不适用，请清除该值。" },
  "form.clear": { en: "Clear", zh: "清除" },
  "form.otherFindings": { en: "Other findings", zh: "其他核查结果" },
  "form.unsaved": { en: "Unsaved changes", zh: "有未保存的更改" },
  "form.leave.title": { en: "Leave without saving?", zh: "不保存就离开？" },
  "form.leave.text": { en: "This form has changes that are not saved. They will be lost.", zh: "此表单有尚未保存的更改，离开后将丢失。" },
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
  "error.internal": { en: "Something went wrong in the application", zh: "程序内部出错" },
} satisfies Record<string, Entry>;

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
