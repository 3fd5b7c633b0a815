//! The work order as the trainee types it, and what is wrong with the input
//! itself (as opposed to what is wrong against the call): empty, far too
//! long, pasted control characters, a phone number no phone has.

use crate::knowledge::model::CategoryTree;
use crate::knowledge::text::{digits, has_control_chars, normalize};
use crate::scenario::model::{CityProfile, Disposition, RequestType, Text, Urgency};
use serde::{Deserialize, Serialize};

/// Stored exactly as typed; `None` for a choice not made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkOrder {
    pub caller_name: String,
    pub contact: String,
    pub address: String,
    pub request_type: Option<RequestType>,
    /// A category id from the category tree.
    pub category: Option<String>,
    /// 诉求内容: free text, ideally the five elements.
    pub content: String,
    pub urgency: Option<Urgency>,
    pub confidential: Option<bool>,
    pub callback: Option<bool>,
    pub handling_unit: String,
    /// A city-profile rule id, picked from the profile's list.
    pub time_limit: Option<String>,
    /// The call logged as making no order (a harassing or invalid call)
    /// instead of being dispatched; what else was typed is kept as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_order: Option<Disposition>,
}

impl WorkOrder {
    /// Some field of an order typed or chosen: the trainee made (or began)
    /// an order, whatever else they recorded.
    pub(crate) fn has_order_fields(&self) -> bool {
        let without = WorkOrder { no_order: None, ..self.clone() };
        !without.is_blank()
    }

    /// Nothing typed and nothing chosen: an order not filled in.
    pub fn is_blank(&self) -> bool {
        *self == WorkOrder::default()
            || (self.caller_name.trim().is_empty()
                && self.contact.trim().is_empty()
                && self.address.trim().is_empty()
                && self.content.trim().is_empty()
                && self.handling_unit.trim().is_empty()
                && self.request_type.is_none()
                && self.category.is_none()
                && self.urgency.is_none()
                && self.confidential.is_none()
                && self.callback.is_none()
                && self.time_limit.is_none()
                && self.no_order.is_none())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FieldName {
    CallerName,
    Contact,
    Address,
    RequestType,
    Category,
    Content,
    Urgency,
    Confidential,
    Callback,
    HandlingUnit,
    TimeLimit,
}

impl FieldName {
    pub const ALL: [FieldName; 11] = [
        FieldName::CallerName,
        FieldName::Contact,
        FieldName::Address,
        FieldName::RequestType,
        FieldName::Category,
        FieldName::Content,
        FieldName::Urgency,
        FieldName::Confidential,
        FieldName::Callback,
        FieldName::HandlingUnit,
        FieldName::TimeLimit,
    ];

    pub fn label(self) -> Text {
        match self {
            FieldName::CallerName => Text::new("来电人姓名", "Caller's name"),
            FieldName::Contact => Text::new("联系电话", "Contact number"),
            FieldName::Address => Text::new("地址", "Address"),
            FieldName::RequestType => Text::new("诉求类型", "Request type"),
            FieldName::Category => Text::new("诉求分类", "Category"),
            FieldName::Content => Text::new("诉求内容", "Content"),
            FieldName::Urgency => Text::new("紧急程度", "Urgency"),
            FieldName::Confidential => Text::new("是否保密", "Confidential"),
            FieldName::Callback => Text::new("是否回访", "Callback needed"),
            FieldName::HandlingUnit => Text::new("承办单位", "Handling unit"),
            FieldName::TimeLimit => Text::new("办理时限", "Time limit"),
        }
    }

    /// The most characters the field holds; past it the panel says so and
    /// scoring reads only this much.
    pub fn max_chars(self) -> usize {
        match self {
            FieldName::CallerName => 40,
            FieldName::Contact => 40,
            FieldName::Address => 200,
            FieldName::Content => 2000,
            FieldName::HandlingUnit => 100,
            _ => 100,
        }
    }
}

/// Something wrong with what was typed into one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputIssue {
    pub field: FieldName,
    pub code: &'static str,
    pub message: Text,
}

/// A phone number has at least a 7-digit local number and at most a
/// 4-digit area code with an 8-digit number (or an 11-digit mobile).
const MIN_PHONE_DIGITS: usize = 7;
const MAX_PHONE_DIGITS: usize = 12;

/// Problems with the input as typed, field by field, in field order. An
/// empty field is not an input problem (the caller may not have said it);
/// scoring reports it against the call.
pub fn check_input(order: &WorkOrder, categories: Option<&CategoryTree>, profile: Option<&CityProfile>) -> Vec<InputIssue> {
    let mut out = Vec::new();
    let mut issue = |field, code, zh: String, en: String| out.push(InputIssue { field, code, message: Text::new(zh, en) });
    for (field, text) in [
        (FieldName::CallerName, &order.caller_name),
        (FieldName::Contact, &order.contact),
        (FieldName::Address, &order.address),
        (FieldName::Content, &order.content),
        (FieldName::HandlingUnit, &order.handling_unit),
    ] {
        let count = text.chars().count();
        if count > field.max_chars() {
            let max = field.max_chars();
            issue(field, "too-long", format!("内容太长（{count}个字），最多{max}个字；评分只看前{max}个字。"), format!("Too long ({count} characters); at most {max}. Only the first {max} are scored."));
        }
        if has_control_chars(text) {
            issue(field, "control-characters", "含有看不见的控制字符（多半是粘贴带来的），请删掉后重新输入。".into(), "Contains invisible control characters (usually from pasting); delete them and type it again.".into());
        }
    }
    let name = normalize(&order.caller_name);
    if name.chars().any(|c| c.is_ascii_digit()) {
        issue(FieldName::CallerName, "digits-in-name", "姓名里有数字：电话号码请写在“联系电话”栏。".into(), "The name has digits in it: the phone number goes in “Contact number”.".into());
    }
    let contact = normalize(&order.contact);
    if !contact.trim().is_empty() {
        let n = digits(&order.contact).len();
        let letters = contact.chars().any(|c| c.is_alphabetic());
        if letters {
            issue(FieldName::Contact, "not-a-number", "联系电话里有文字：这一栏只写号码。".into(), "The contact number has words in it: write the number only.".into());
        } else if !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&n) {
            issue(
                FieldName::Contact,
                "odd-number",
                format!("这个号码有{n}位数字，不像电话号码（手机11位，固话7～8位，加区号最多12位）。"),
                format!("This number has {n} digits, which no phone has (mobiles 11, landlines 7–8, at most 12 with the area code)."),
            );
        }
    }
    if let (Some(id), Some(tree)) = (&order.category, categories) {
        if tree.find(id).is_none() {
            issue(FieldName::Category, "unknown-category", format!("分类“{id}”不在分类表里。"), format!("The category “{id}” is not in the category list."));
        }
    }
    if let (Some(id), Some(profile)) = (&order.time_limit, profile) {
        if !profile.rules.iter().any(|r| &r.id == id) {
            issue(FieldName::TimeLimit, "unknown-time-limit", format!("时限“{id}”不在本市规定里。"), format!("The time limit “{id}” is not one of the city's rules."));
        }
    }
    out
}

/// The first `max` characters of `text` without control characters: what
/// scoring reads of a field.
pub(crate) fn scored_part(text: &str, max: usize) -> String {
    text.chars().filter(|&c| !has_control_chars(c.encode_utf8(&mut [0; 4]))).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_gives_messages_per_field() {
        let order = WorkOrder {
            caller_name: "周先生13800138000".into(),
            contact: "１２３".into(),
            address: "幸福里".repeat(100),
            content: "停水\u{0007}了".into(),
            category: Some("nope".into()),
            ..WorkOrder::default()
        };
        let tree = CategoryTree { note: Text::default(), categories: vec![] };
        let issues = check_input(&order, Some(&tree), None);
        let codes: Vec<(FieldName, &str)> = issues.iter().map(|i| (i.field, i.code)).collect();
        assert_eq!(
            codes,
            vec![
                (FieldName::Address, "too-long"),
                (FieldName::Content, "control-characters"),
                (FieldName::CallerName, "digits-in-name"),
                (FieldName::Contact, "odd-number"),
                (FieldName::Category, "unknown-category"),
            ]
        );
        assert!(issues.iter().all(|i| !i.message.zh.is_empty() && !i.message.en.is_empty()));
    }

    #[test]
    fn good_input_has_no_issues() {
        let order = WorkOrder { caller_name: "周先生".into(), contact: "138 0013 8000".into(), address: "幸福里小区3栋".into(), ..WorkOrder::default() };
        assert!(check_input(&order, None, None).is_empty());
        assert!(WorkOrder::default().is_blank());
        assert!(!order.is_blank());
        assert!(order.has_order_fields());
        let logged = WorkOrder { no_order: Some(Disposition::Harassing), ..WorkOrder::default() };
        assert!(!logged.is_blank());
        assert!(!logged.has_order_fields());
    }

    #[test]
    fn scored_part_drops_control_characters_and_cuts() {
        assert_eq!(scored_part("a\u{0}b\u{200B}cdef", 3), "abc");
    }
}
