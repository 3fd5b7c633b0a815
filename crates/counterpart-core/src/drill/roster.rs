//! New members typed into a drill's roster, with their employee numbers
//! (工号). The form trainers are told: one member per line, the name, then
//! the number (`李明 A-007`). What people also write works the same: the
//! word 工号 or "No." before the number, the number in brackets, a tab
//! (two columns pasted from a spreadsheet), or a comma between name and
//! number. Several names on one line separated by commas or 、 still work.

use crate::scenario::model::{Message, Text};

/// One typed member: the name, and the employee number if one was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub name: String,
    pub employee_id: Option<String>,
}

/// The members typed, in order, without blanks. A number given after the
/// word 工号 or "No." is kept as typed even when it is not a usable number,
/// so the store can say why instead of the text becoming someone's name.
pub fn parse_roster(text: &str) -> Vec<RosterLine> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.contains('\t') {
            // Spreadsheet columns: name, number, anything else ignored.
            let mut fields = line.split('\t').map(str::trim).filter(|f| !f.is_empty());
            if let Some(name) = fields.next() {
                out.push(RosterLine { name: name.to_string(), employee_id: fields.next().map(String::from) });
            }
            continue;
        }
        let mut on_line: Vec<RosterLine> = Vec::new();
        for item in line.split([',', '，', '、', ';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
            let (name, number) = split_item(item);
            let attach = name.is_none() && on_line.last().is_some_and(|l| l.employee_id.is_none());
            match name {
                // "李明, A-007" or "李明，工号 A-007": the number of the name before it.
                None if attach => {
                    if let Some(last) = on_line.last_mut() {
                        last.employee_id = number;
                    }
                }
                // A number with no name before it is taken as a name, so
                // nothing typed silently disappears.
                None => on_line.push(RosterLine { name: item.to_string(), employee_id: None }),
                Some(name) => on_line.push(RosterLine { name, employee_id: number }),
            }
        }
        out.extend(on_line);
    }
    out
}

/// An item of a line: its name (None when it is only a number) and number.
fn split_item(item: &str) -> (Option<String>, Option<String>) {
    let name_part = |s: &str| {
        let s = s.trim().trim_end_matches(['(', '（', ':', '：']).trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    for keyword in ["工号", "No.", "no.", "NO."] {
        if let Some(at) = item.find(keyword) {
            let number = item[at + keyword.len()..].trim().trim_start_matches([':', '：']).trim().trim_end_matches([')', '）']).trim();
            return (name_part(&item[..at]), (!number.is_empty()).then(|| number.to_string()));
        }
    }
    // "李明（A-007）", "Li Ming (A-007)".
    if let Some(open) = item.find(['(', '（']) {
        let inside = item[open..].trim_start_matches(['(', '（']).trim_end_matches([')', '）']).trim();
        if looks_like_number(inside) {
            return (name_part(&item[..open]), Some(inside.to_string()));
        }
    }
    if looks_like_number(item) {
        return (None, Some(item.to_string()));
    }
    // "李明 A-007", "Li Ming 0042": a last word that is a number.
    if let Some((before, last)) = item.rsplit_once(char::is_whitespace)
        && looks_like_number(last)
        && !before.trim().is_empty()
    {
        return (Some(before.trim().to_string()), Some(last.to_string()));
    }
    (Some(item.to_string()), None)
}

/// Letters, digits, '-', '_' or '.', with at least one digit: an employee
/// number, never a name (names have no digits).
fn looks_like_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) && s.chars().any(|c| c.is_ascii_digit())
}

/// The employee number as stored (trimmed), or None when it cannot be one:
/// empty, longer than 64 characters, or holding anything but letters,
/// digits, '-', '_' and '.'.
pub fn usable_employee_id(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = !v.is_empty() && v.chars().count() <= 64 && v.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    ok.then(|| v.to_string())
}

/// What is wrong with an employee number typed into a roster, as far as a
/// set-up can tell before the store is asked (it checks again on start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterProblem {
    /// Not letters, digits, '-', '_' and '.'.
    Unusable { name: String, number: String },
    /// A known trainee holds it.
    HeldBy { number: String, holder: String, name: String },
    /// A known trainee typed with a number other than theirs.
    HasAnother { name: String, has: String, typed: String },
    /// One number typed for two members.
    TypedTwice { number: String, first: String, second: String },
}

impl Message for RosterProblem {
    fn message(&self) -> Text {
        match self {
            RosterProblem::Unusable { name, number } => Text::new(
                format!("{name}：工号“{number}”只能包含字母、数字、“-”“_”“.”"),
                format!("{name}: \"{number}\" is not a usable employee number (letters, digits, '-', '_', '.')"),
            ),
            RosterProblem::HeldBy { number, holder, name } => Text::new(
                format!("工号 {number} 已属于“{holder}”，不能再给“{name}”"),
                format!("the employee number {number} already belongs to {holder}, not {name}"),
            ),
            RosterProblem::HasAnother { name, has, typed } => Text::new(
                format!("“{name}”的工号已是 {has}，不是 {typed}；如需更改请在开始界面修改"),
                format!("{name} already has the employee number {has}, not {typed}: change it on the start screen"),
            ),
            RosterProblem::TypedTwice { number, first, second } => Text::new(
                format!("工号 {number} 在名单里出现了两次（“{first}”和“{second}”）"),
                format!("the employee number {number} is typed twice ({first} and {second})"),
            ),
        }
    }
}

/// The problems with the numbers of the members `typed`, given the trainees
/// already `known` (name, number), in the roster's order.
pub fn roster_problems(typed: &[RosterLine], known: &[(String, Option<String>)]) -> Vec<RosterProblem> {
    let mut problems = Vec::new();
    let mut seen: Vec<(&str, String)> = Vec::new();
    for entry in typed {
        let Some(typed_number) = entry.employee_id.as_deref() else { continue };
        let Some(number) = usable_employee_id(typed_number) else {
            problems.push(RosterProblem::Unusable { name: entry.name.clone(), number: typed_number.to_string() });
            continue;
        };
        let holder = known.iter().find(|(name, n)| n.as_deref() == Some(number.as_str()) && *name != entry.name);
        let has = known.iter().find(|(name, _)| *name == entry.name).and_then(|(_, n)| n.as_deref()).filter(|&has| has != number);
        if let Some((holder, _)) = holder {
            problems.push(RosterProblem::HeldBy { number: number.clone(), holder: holder.clone(), name: entry.name.clone() });
        } else if let Some(has) = has {
            problems.push(RosterProblem::HasAnother { name: entry.name.clone(), has: has.to_string(), typed: number.clone() });
        } else if let Some((first, _)) = seen.iter().find(|(_, n)| *n == number) {
            problems.push(RosterProblem::TypedTwice { number: number.clone(), first: first.to_string(), second: entry.name.clone() });
        }
        seen.push((&entry.name, number));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, number: Option<&str>) -> RosterLine {
        RosterLine { name: name.into(), employee_id: number.map(String::from) }
    }

    #[test]
    fn names_alone_are_split_as_before() {
        assert_eq!(parse_roster("李明、 张伟,\n\n陈静 "), vec![line("李明", None), line("张伟", None), line("陈静", None)]);
        assert_eq!(parse_roster("Li Ming\nWang Fang"), vec![line("Li Ming", None), line("Wang Fang", None)]);
    }

    #[test]
    fn a_number_after_the_name_in_every_usual_form() {
        let expected = vec![line("李明", Some("A-007"))];
        for typed in ["李明 A-007", "李明\tA-007", "李明\tA-007\t窗口一组", "李明 工号 A-007", "李明 工号：A-007", "李明工号:A-007", "李明（工号 A-007）", "李明（A-007）", "李明 (No. A-007)", "李明, A-007", "李明，工号A-007"] {
            assert_eq!(parse_roster(typed), expected, "{typed:?}");
        }
        assert_eq!(parse_roster("Li Ming 0042"), vec![line("Li Ming", Some("0042"))]);
        assert_eq!(
            parse_roster("李明 A-007\n王芳\n张伟 工号 0571-0042、陈静"),
            vec![line("李明", Some("A-007")), line("王芳", None), line("张伟", Some("0571-0042")), line("陈静", None)]
        );
    }

    #[test]
    fn nothing_typed_disappears() {
        // A number alone on a line is a name the trainer will see in the
        // roster; a second number after a name is a second member.
        assert_eq!(parse_roster("A-007"), vec![line("A-007", None)]);
        assert_eq!(parse_roster("李明, A-1, A-2"), vec![line("李明", Some("A-1")), line("A-2", None)]);
        // After 工号 the text is the number even when unusable: the store says why.
        assert_eq!(parse_roster("李明 工号 A 007"), vec![line("李明", Some("A 007"))]);
        assert_eq!(parse_roster("李明 工号"), vec![line("李明", None)]);
    }

    #[test]
    fn numbers_held_by_others_typed_twice_or_unusable_are_problems() {
        let known = vec![("王芳".to_string(), Some("A-001".to_string())), ("赵强".to_string(), None)];
        let typed = parse_roster("李明 A-001\n王芳 A-002\n张伟 工号 B 7\n陈静 C-1\n刘洋 C-1\n赵强 D-1\n王芳2 A-003");
        let problems = roster_problems(&typed, &known);
        assert_eq!(
            problems,
            vec![
                RosterProblem::HeldBy { number: "A-001".into(), holder: "王芳".into(), name: "李明".into() },
                RosterProblem::HasAnother { name: "王芳".into(), has: "A-001".into(), typed: "A-002".into() },
                RosterProblem::Unusable { name: "张伟".into(), number: "B 7".into() },
                RosterProblem::TypedTwice { number: "C-1".into(), first: "陈静".into(), second: "刘洋".into() },
            ],
            "a known trainee without a number may get one; a new name with a new number is fine"
        );
        let said = problems[0].message();
        assert!(said.zh.contains("已属于“王芳”") && said.en.contains("already belongs to 王芳"), "{said:?}");
        assert!(roster_problems(&parse_roster("王芳 A-001\n李明"), &known).is_empty(), "their own number");
    }

    #[test]
    fn a_usable_number_is_trimmed_and_short() {
        assert_eq!(usable_employee_id(" A-007 "), Some("A-007".into()));
        assert_eq!(usable_employee_id("0571_42.1"), Some("0571_42.1".into()));
        for bad in ["", "  ", "A 007", "A/7", &"9".repeat(65)] {
            assert_eq!(usable_employee_id(bad), None, "{bad:?}");
        }
    }
}
