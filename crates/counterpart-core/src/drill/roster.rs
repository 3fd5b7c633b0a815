//! New members typed into a drill's roster, with their employee numbers
//! (工号). The form trainers are told: one member per line, the name, then
//! the number (`李明 A-007`). What people also write works the same: the
//! word 工号 or "No." before the number, the number in brackets, a tab
//! (two columns pasted from a spreadsheet), or a comma between name and
//! number. Several names on one line separated by commas or 、 still work.

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
}
