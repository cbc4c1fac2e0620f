package dev.vela.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits template source into tokens the way Jinja2's lexer does under the settings Hugging Face
 * transformers uses: {@code trim_blocks} (the first newline after a block or comment tag is
 * dropped), {@code lstrip_blocks} (spaces and tabs before a block or comment tag that starts a
 * line are dropped), {@code -}/{@code +} modifiers on tags, and {@code keep_trailing_newline=False}.
 */
final class Lexer {
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"
    };

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    // Jinja2 strips a block's indentation only when the tag sits at the start of a line.
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalizeNewlines(source);
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    /** Jinja2 turns \r\n and \r into \n and drops one line break at the very end of the source. */
    static String normalizeNewlines(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                sb.append('\n');
            } else {
                sb.append(c);
            }
        }
        if (!sb.isEmpty() && sb.charAt(sb.length() - 1) == '\n') {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emitText(src.substring(pos));
                pos = n;
                break;
            }
            char kind = src.charAt(tag + 1);
            char sign = tag + 2 < n ? src.charAt(tag + 2) : 0;
            boolean hasSign = sign == '-' || sign == '+';
            String text = src.substring(pos, tag);
            int textLines = countNewlines(text);
            if (sign == '-') {
                text = PyStrings.rstrip(text, null);
            } else if (sign != '+' && kind != '{') {
                text = lstripBlock(text);
            }
            emitText(text);
            line += textLines;
            pos = tag + 2 + (hasSign ? 1 : 0);
            switch (kind) {
                case '#' -> comment();
                case '%' -> {
                    if (!rawBlock()) {
                        tag(Token.Type.BLOCK_BEGIN, Token.Type.BLOCK_END);
                    }
                }
                default -> tag(Token.Type.VAR_BEGIN, Token.Type.VAR_END);
            }
        }
        tokens.add(new Token(Token.Type.EOF, "", line));
    }

    private int nextTagStart(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    private String lstripBlock(String text) {
        int lpos = text.lastIndexOf('\n') + 1;
        if (lpos > 0 || lineStarting) {
            for (int i = lpos; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c != ' ' && c != '\t') {
                    return text;
                }
            }
            return text.substring(0, lpos);
        }
        return text;
    }

    private void emitText(String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Token.Type.TEXT, text, line));
        }
    }

    private void comment() {
        int startLine = line;
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw new TemplateSyntaxError("unclosed comment: missing '#}'", startLine);
        }
        char before = end > pos ? src.charAt(end - 1) : 0;
        line += countNewlines(src.substring(pos, end));
        pos = end + 2;
        afterTagEnd(before);
    }

    /**
     * Handles {@code {% raw %}...{% endraw %}}: the content is text, tags inside are not parsed.
     * Returns false when the block tag is not {@code raw}.
     */
    private boolean rawBlock() {
        int i = skipSpaces(pos);
        if (!src.startsWith("raw", i)) {
            return false;
        }
        i = skipSpaces(i + 3);
        if (i < src.length() && (src.charAt(i) == '-' || src.charAt(i) == '+')) {
            i++;
        }
        if (!src.startsWith("%}", i)) {
            return false;
        }
        char before = src.charAt(i - 1);
        line += countNewlines(src.substring(pos, i));
        pos = i + 2;
        afterTagEnd(before);
        int search = pos;
        while (true) {
            int open = src.indexOf("{%", search);
            if (open < 0) {
                throw new TemplateSyntaxError("missing {% endraw %} for {% raw %}", line);
            }
            int j = open + 2;
            boolean minus = j < src.length() && src.charAt(j) == '-';
            if (minus || (j < src.length() && src.charAt(j) == '+')) {
                j++;
            }
            j = skipSpaces(j);
            if (src.startsWith("endraw", j)) {
                int k = skipSpaces(j + 6);
                if (k < src.length() && (src.charAt(k) == '-' || src.charAt(k) == '+')) {
                    k++;
                }
                if (src.startsWith("%}", k)) {
                    String text = src.substring(pos, open);
                    int textLines = countNewlines(text);
                    emitText(minus ? PyStrings.rstrip(text, null) : text);
                    line += textLines + countNewlines(src.substring(open, k));
                    char endBefore = src.charAt(k - 1);
                    pos = k + 2;
                    afterTagEnd(endBefore);
                    return true;
                }
            }
            search = open + 2;
        }
    }

    private int skipSpaces(int i) {
        while (i < src.length() && PyStrings.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    /** After a block or comment end: '-' strips all following whitespace, else trim_blocks eats one newline. */
    private void afterTagEnd(char modifier) {
        if (modifier == '-') {
            int start = pos;
            pos = skipSpaces(pos);
            String eaten = src.substring(start, pos);
            line += countNewlines(eaten);
            lineStarting = eaten.endsWith("\n");
        } else if (modifier != '+' && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
            line++;
            lineStarting = true;
        } else {
            lineStarting = false;
        }
    }

    private void tag(Token.Type begin, Token.Type end) {
        boolean block = begin == Token.Type.BLOCK_BEGIN;
        int startLine = line;
        tokens.add(new Token(begin, "", line));
        Deque<Character> brackets = new ArrayDeque<>();
        while (true) {
            while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) {
                if (src.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
            if (pos >= src.length()) {
                throw new TemplateSyntaxError("unexpected end of template: missing '" + (block ? "%}" : "}}")
                        + "' for the tag opened on line " + startLine, line);
            }
            if (brackets.isEmpty() && tagEnd(block, end)) {
                return;
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                string(c);
            } else if (Character.isDigit(c)) {
                number();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Token.Type.NAME, src.substring(start, pos), line));
            } else {
                operator(brackets);
            }
        }
    }

    private boolean tagEnd(boolean block, Token.Type end) {
        if (block) {
            for (String close : new String[] {"-%}", "+%}", "%}"}) {
                if (src.startsWith(close, pos)) {
                    tokens.add(new Token(end, "", line));
                    pos += close.length();
                    afterTagEnd(close.charAt(0));
                    return true;
                }
            }
            return false;
        }
        if (src.startsWith("-}}", pos)) {
            tokens.add(new Token(end, "", line));
            pos += 3;
            afterTagEnd('-');
            return true;
        }
        if (src.startsWith("}}", pos)) {
            tokens.add(new Token(end, "", line));
            pos += 2;
            // trim_blocks does not apply to print tags
            lineStarting = false;
            return true;
        }
        return false;
    }

    private void operator(Deque<Character> brackets) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
                    brackets.push(c);
                } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
                    char open = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (brackets.isEmpty() || brackets.peek() != open) {
                        throw new TemplateSyntaxError("unexpected '" + c + "'" + (brackets.isEmpty() ? ""
                                : ": an earlier '" + brackets.peek() + "' is not closed"), line);
                    }
                    brackets.pop();
                }
                tokens.add(new Token(Token.Type.OPERATOR, op, line));
                pos += op.length();
                return;
            }
        }
        throw new TemplateSyntaxError("unexpected character '" + src.charAt(pos) + "'", line);
    }

    private void string(char quote) {
        int startLine = line;
        int i = pos + 1;
        StringBuilder raw = new StringBuilder();
        while (true) {
            if (i >= src.length()) {
                throw new TemplateSyntaxError("unterminated string literal", startLine);
            }
            char c = src.charAt(i);
            if (c == '\\' && i + 1 < src.length()) {
                raw.append(c).append(src.charAt(i + 1));
                i += 2;
                continue;
            }
            if (c == quote) {
                break;
            }
            raw.append(c);
            i++;
        }
        String body = raw.toString();
        line += countNewlines(body);
        pos = i + 1;
        tokens.add(new Token(Token.Type.STRING, unescape(body), startLine));
    }

    /** Python's backslash escapes, as Jinja2 decodes string literals ("unicode-escape"). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case '\\' -> sb.append('\\');
                case '\'' -> sb.append('\'');
                case '"' -> sb.append('"');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '\n' -> { } // a backslash before a newline joins the lines
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int cp = hex(s, i + 1, len);
                    if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                        throw new TemplateSyntaxError("bad \\" + e + " escape in a string literal", 0);
                    }
                    sb.appendCodePoint(cp);
                    i += len;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        int v = 0;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            v = v * 8 + (s.charAt(end) - '0');
                            end++;
                        }
                        sb.appendCodePoint(v);
                        i = end - 1;
                    } else {
                        sb.append('\\').append(e); // Python keeps unknown escapes as written
                    }
                }
            }
        }
        return sb.toString();
    }

    private static int hex(String s, int from, int len) {
        if (from + len > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + len; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private void number() {
        int start = pos;
        if (src.charAt(pos) == '0' && pos + 1 < src.length() && "xXoObB".indexOf(src.charAt(pos + 1)) >= 0) {
            char base = Character.toLowerCase(src.charAt(pos + 1));
            int radix = base == 'x' ? 16 : base == 'o' ? 8 : 2;
            pos += 2;
            int digitsStart = pos;
            while (pos < src.length() && (Character.digit(src.charAt(pos), radix) >= 0 || src.charAt(pos) == '_')) {
                pos++;
            }
            String digits = src.substring(digitsStart, pos).replace("_", "");
            if (digits.isEmpty()) {
                throw new TemplateSyntaxError("bad number literal '" + src.substring(start, pos) + "'", line);
            }
            tokens.add(new Token(Token.Type.INTEGER, Long.toString(Long.parseLong(digits, radix)), line));
            return;
        }
        digits();
        boolean isFloat = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            pos++;
            digits();
            isFloat = true;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                digits();
                isFloat = true;
            } else {
                pos = save;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        tokens.add(new Token(isFloat ? Token.Type.FLOAT : Token.Type.INTEGER, text, line));
    }

    private void digits() {
        while (pos < src.length() && (Character.isDigit(src.charAt(pos))
                || (src.charAt(pos) == '_' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))))) {
            pos++;
        }
    }

    private static int countNewlines(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
