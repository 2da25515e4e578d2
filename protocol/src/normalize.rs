//! What real people type, made regular before it is read: full-width letters and digits become
//! half-width, every sentence break (，、。；！？ and their half-width forms) becomes `,`, colons
//! become `:`, quotes around the sentence go, and spaces go except between two Latin words.

/// Punctuation that ends or breaks a clause; normalized to `,`.
pub fn is_break(c: char) -> bool {
    matches!(
        c,
        ',' | '，' | '、' | '。' | '．' | '.' | ';' | '；' | '!' | '！' | '?' | '？' | '…'
    )
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '「' | '」' | '『' | '』' | '‘' | '’' | '\'' | '《' | '》'
    )
}

/// Normalizes one sentence. The output holds only the characters that carry meaning, with `,` as
/// the one clause separator, never two in a row and never at either end.
pub fn sentence(said: &str) -> String {
    let mut out = String::with_capacity(said.len());
    let mut pending_space = false;
    for c in said.chars() {
        let c = half_width(c);
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        if is_quote(c) {
            continue;
        }
        let c = if is_break(c) {
            ','
        } else if c == '：' {
            ':'
        } else {
            c
        };
        if c == ',' && (out.is_empty() || out.ends_with(',')) {
            pending_space = false;
            continue;
        }
        if pending_space && out.chars().last().is_some_and(is_latin) && is_latin(c) {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    while out.ends_with(',') {
        out.pop();
    }
    out
}

/// A text field as the parser hands it back: its commas in the standard full-width form.
pub fn text_field(s: &str) -> String {
    s.replace(',', "，").replace(':', "：")
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Full-width ASCII forms (Ｌ１，！) to their ASCII twins, and the ideographic space to a space.
/// The full-width comma and colon are kept: they are the standard separators, mapped above.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '，' | '：' => c,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::sentence;

    #[test]
    fn regularizes_what_people_type() {
        assert_eq!(
            sentence(" 我是 Ｌ１岗， 呼叫销售中心。。收到请回答！ "),
            "我是L1岗,呼叫销售中心,收到请回答"
        );
        assert_eq!(sentence("「我是水吧,呼叫操作间」"), "我是水吧,呼叫操作间");
        assert_eq!(sentence("体貌特征：Blue  coat"), "体貌特征:Blue coat");
        assert_eq!(sentence("，，，"), "");
    }
}
