package dev.vela.chat;

import dev.vela.VelaException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Jinja interpreter on small templates whose Jinja2 output is worked out by hand. */
class InterpreterTest {

    static String render(String source) {
        return render(source, Map.of());
    }

    static String render(String source, Map<String, Object> vars) {
        return ChatTemplate.parse(source).render(List.of(), false, vars);
    }

    static String error(String source) {
        VelaException e = assertThrows(VelaException.class, () -> render(source));
        assertEquals(1, e.getMessage().lines().count(), "one-line message: " + e.getMessage());
        return e.getMessage();
    }

    @Nested
    class Printing {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
            "{{ 1 + 2 }} => 3",
            "{{ 7 // 2 }}, {{ -7 // 2 }} => 3, -4",
            "{{ -7 % 3 }}, {{ 7 % -3 }} => 2, -2",
            "{{ 7 / 2 }}, {{ 4 / 2 }} => 3.5, 2.0",
            "{{ 2 ** 10 }} => 1024",
            "{{ 1 / 3 }} => 0.3333333333333333",
            "{{ 1e-5 }} {{ 1e16 }} {{ 100.0 }} {{ 0.0001 }} => 1e-05 1e+16 100.0 0.0001",
            "{{ 'a' ~ 1 ~ none ~ true }} => a1NoneTrue",
            "{{ [1, 'a', none, true, 2.5] }} => [1, 'a', None, True, 2.5]",
            "{{ {'a': 1, 'b': [none]} }} => {'a': 1, 'b': [None]}",
            "{{ (1,) }} {{ (1, 'x') }} => (1,) (1, 'x')",
            "{{ [\"it's\", 'say \"hi\"'] }} => [\"it's\", 'say \"hi\"']",
            "{{ ['a\\nb'] }} => ['a\\nb']",
            "{{ 'a' 'b' }} => ab",
            "{{ 0x1F }} {{ 1_000 }} => 31 1000",
            "{{ true + 1 }} => 2",
            "{{ -(3) }} {{ +4 }} => -3 4",
            "{{ 'ab' * 3 }} => ababab",
        })
        void values(String source, String expected) {
            assertEquals(expected, render(source));
        }

        @Test
        void stringLiteralEscapesAreDecodedLikePython() {
            assertEquals("a\nb\tc\\d'e\u00e9\uD83D\uDC4B", render("{{ 'a\\nb\\tc\\\\d\\'e\\u00e9\\U0001F44B' }}"));
            assertEquals("\\q", render("{{ '\\q' }}"), "an unknown escape keeps its backslash");
            assertEquals("line1\nline2", render("{{ 'line1\nline2' }}"), "a real newline inside a literal");
        }

        @Test
        void undefinedPrintsAsNothing() {
            assertEquals("[]", render("[{{ missing }}]"));
            assertEquals("[]", render("[{{ none.attr }}]"));
            assertEquals("[]", render("{% set d = {'a': 1} %}[{{ d.b }}{{ d['b'] }}]"));
        }

        @Test
        void pythonRepresentationOfUnusualCharacters() {
            assertEquals("['\\xa0', '\\u200d', 'é']", render("{{ ['\u00a0', '\u200d', 'é'] }}"));
        }
    }

    @Nested
    class Expressions {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
            "{{ 1 == 1.0 }} {{ '' != false }} {{ 1 == true }} {{ none == false }} => True True True False",
            "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} => True False True True",
            "{{ 'b' in 'abc' }} {{ 'k' in {'k': 1} }} {{ 2 not in [1] }} {{ 1 in [1.0] }} => True True True True",
            "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ none or none }} => x b |None",
            "{{ not 0 }} {{ not 'a' }} {{ not missing }} => True False True",
            "{{ 'y' if 1 else 'n' }} {{ 'y' if 0 else 'n' }}[{{ 'y' if 0 }}] => y n[]",
            "{{ {'a': {'b': 1}} == {'a': {'b': 1.0}} }} {{ [1, [2]] == [1, [3]] }} => True False",
            "{{ 'a' + 'b' | upper }} {{ ('a' + 'b') | upper }} => aB AB",
            "{{ -2 ** 2 }} {{ 2 + 3 * 4 }} {{ (2 + 3) * 4 }} {{ 10 - 2 - 3 }} => 4 14 20 5",
            "{{ 1 ~ 2 * 3 }} => 16",
            "{{ messages | length }} {{ add_generation_prompt }} {{ tools }} {{ documents }} => 0 False None None",
        })
        void evaluates(String source, String expected) {
            assertEquals(expected, render(source));
        }

        @Test
        void subscriptsAndSlices() {
            assertEquals("[2, 3, 4] [3, 2, 1] [1, 3] o el h 3 olleh",
                    render("{{ [1,2,3,4][1:] }} {{ [1,2,3][::-1] }} {{ [1,2,3][::2] }} {{ 'hello'[-1] }} "
                            + "{{ 'hello'[1:3] }} {{ 'hello'[0] }} {{ [1,2,3][-1] }} {{ 'hello'[::-1] }}"));
            assertEquals("[] [3] []", render("{{ [1,2,3][5:] }} {{ [1,2,3][-1:] }} {{ [1,2,3][2:0] }}"));
            assertEquals("\uD83D\uDC4B|b", render("{{ 'a\uD83D\uDC4Bb'[1] }}|{{ 'a\uD83D\uDC4Bb'[-1] }}"),
                    "strings index by code point");
        }

        @Test
        void dictKeysAreAttributesAndMethodsAreCallable() {
            assertEquals("user user 1 x ['role', 'n']",
                    render("{% set d = {'role': 'user', 'n': 1} %}{{ d.role }} {{ d['role'] }} {{ d.get('n') }} "
                            + "{{ d.get('zz', 'x') }} {{ d.keys() | list }}"));
        }

        @Test
        void stringMethods() {
            assertEquals("[a b]|axx|xxa|a|['a', 'b', '', 'c']|['a', 'b']|['a', 'b,c']|True|False|True|a-b|2|3",
                    render("[{{ '  a b \\n'.strip() }}]|{{ 'xxaxx'.lstrip('x') }}|{{ 'xxaxx'.rstrip('x') }}|"
                            + "{{ 'xxaxx'.strip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|"
                            + "{{ 'a,b,c'.split(',', 1) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith('b') }}|"
                            + "{{ 'abc'.startswith(('x', 'a')) }}|{{ 'a b'.replace(' ', '-') }}|"
                            + "{{ 'banana'.count('an') }}|{{ 'banana'.find('an', ) + 2 }}"));
            assertEquals("1", render("{{ '\u00a0x\u3000'.strip() | length }}"), "Python strips U+00A0 and U+3000");
            assertEquals("Hello World|Hello world|HELLO|a=1, b=x",
                    render("{{ 'hello world'.title() }}|{{ 'hELLO WORLD'.capitalize() }}|{{ 'hello'.upper() }}|"
                            + "{{ 'a={}, b={name}'.format(1, name='x') }}"));
        }

        @Test
        void globals() {
            assertEquals("26 Jul 2024|Friday July 26|2024-07-26", render(
                    "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d') }}|{{ strftime_now('%Y-%m-%d') }}"));
            assertEquals("[0, 1, 2] [2, 4] [3, 2]", render("{{ range(3) }} {{ range(2, 6, 2) }} {{ range(3, 1, -1) }}"));
            assertEquals("1 2", render("{% set ns = namespace(a=1) %}{{ ns.a }} {{ dict(x=2).x }}"));
        }
    }

    @Nested
    class FiltersAndTests {
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
            "{{ '  x  ' | trim }}|{{ 'xxaxx' | trim('x') }} => x|a",
            "{{ [1, 2, 3] | length }} {{ 'h\u00e9\uD83D\uDC4B' | length }} {{ {'a': 1} | count }} {{ missing | length }} => 3 3 1 0",
            "{{ ['a', 'b', none] | join(', ') }}|{{ [1, 2] | join }} => a, b, None|12",
            "{{ {'a': 1, 'b': 2} | items | list }} => [('a', 1), ('b', 2)]",
            "{% for k, v in {'a': 1, 'b': 2} | items %}{{ k }}={{ v }};{% endfor %} => a=1;b=2;",
            "{{ [1, 2, 3, 2] | reject('equalto', 2) | list }} {{ [0, 1, '', 'a'] | select | list }} => [1, 3] [1, 'a']",
            "{{ [{'r': 'u', 'n': 1}, {'r': 'a', 'n': 2}] | selectattr('r', 'equalto', 'u') | map(attribute='n') | list }} => [1]",
            "{{ [{'r': 'u'}, {'r': 'a'}] | rejectattr('r', 'equalto', 'u') | list }} => [{'r': 'a'}]",
            "{{ 'abc' | list }} {{ {'k': 1} | list }} {{ 12 | string }} => ['a', 'b', 'c'] ['k'] 12",
            "{{ missing | default('d') }} {{ '' | default('d') }} {{ '' | default('d', true) }} {{ none | d('x') }} => d  d None",
            "{{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ ['b', 'A', 'a'] | unique | list }} => [1, 2, 3] [3, 2, 1] ['b', 'A']",
            "{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ [1, 2, 3] | sum }} {{ [4, 1] | min }} {{ [4, 1] | max }} => 1 3 6 1 4",
            "{{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} => 43 0 2.5 3 2.57",
            "{{ 'hello world' | title }} {{ 'abc' | upper }} {{ 'ABC' | lower }} {{ 'abc' | capitalize }} => Hello World ABC abc Abc",
            "{{ 'a-b-c' | replace('-', '+') }} {{ [1, 2] | reverse | list }} {{ 'abc' | reverse }} => a+b+c [2, 1] cba",
            "{{ '<a & b>' | e }} {{ '%s=%d' | format('x', 3) }} {{ '%s and %s' % ('a', 'b') }} => &lt;a &amp; b&gt; x=3 a and b",
            "{{ 'a\\nb' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }} => `a\\n  b|  a\\n  b`",
            "{{ missing is defined }} {{ missing is not defined }} {{ none is none }} {{ 0 is not none }} => False True True True",
            "{{ 'a' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 3 is iterable }} {{ 'x' is iterable }} => True True True False True",
            "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 2 is equalto 2 }} {{ 1 is number }} {{ 1.5 is integer }} => True True True True True False",
            "{{ false is false }} {{ 0 is false }} {{ true is true }} {{ true is boolean }} {{ 1 is in [1] }} => True False True True True",
        })
        void apply(String source, String expected) {
            assertEquals(expected.replace("\\n", "\n"), render(source.replace("\\n", "\n")));
        }

        @Test
        void tojsonIsPythonJsonDumpsAsTransformersCallsIt() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("b", List.of(1L, 2.5, "é\"\\\n\u0001<&>"));
            data.put("a", null);
            data.put("t", true);
            data.put("e", List.of());
            Map<String, Object> vars = Map.of("data", data);
            assertEquals("{\"b\": [1, 2.5, \"é\\\"\\\\\\n\\u0001<&>\"], \"a\": null, \"t\": true, \"e\": []}",
                    render("{{ data | tojson }}", vars));
            assertEquals("{\n  \"b\": [\n    1,\n    2.5,\n    \"é\\\"\\\\\\n\\u0001<&>\"\n  ],\n  \"a\": null,\n"
                    + "  \"t\": true,\n  \"e\": []\n}", render("{{ data | tojson(indent=2) }}", vars));
            assertEquals("{\"a\": null, \"b\": [1, 2.5, \"\\u00e9\\\"\\\\\\n\\u0001<&>\"], \"e\": [], \"t\": true}",
                    render("{{ data | tojson(ensure_ascii=true, sort_keys=true) }}", vars));
            assertEquals("{\"x\":1}", render("{{ {'x': 1} | tojson(separators=(',', ':')) }}"));
        }
    }

    @Nested
    class Statements {
        @Test
        void loopVariables() {
            assertEquals("1/0/3/2/True/False;2/1/3/1/False/False;3/2/3/0/False/True;",
                    render("{% for x in 'abc' %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }}/"
                            + "{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }};{% endfor %}"));
            assertEquals("-b|a-", render("{% for x in ['a', 'b'] %}{{ loop.previtem }}-{{ loop.nextitem }}"
                    + "{% if not loop.last %}|{% endif %}{% endfor %}"));
            assertEquals("odd even odd ", render("{% for x in range(3) %}{{ loop.cycle('odd', 'even') }} {% endfor %}"));
        }

        @Test
        void loopFilterElseBreakContinue() {
            assertEquals("2:False 4:True ", render(
                    "{% for x in [1, 2, 3, 4] if x is even %}{{ x }}:{{ loop.last }} {% endfor %}"));
            assertEquals("empty", render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"));
            assertEquals("13", render("{% for x in [1, 2, 3, 4, 5] %}{% if x == 2 %}{% continue %}{% endif %}"
                    + "{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
            assertEquals("ab", render("{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}"), "a dict loops over keys");
            assertEquals("", render("{% for x in missing %}{{ x }}{% endfor %}"));
        }

        @Test
        void setInsideALoopIsLostButNamespaceKeepsIt() {
            assertEquals("0 2", render("{% set n = 0 %}{% set ns = namespace(n=0) %}"
                    + "{% for x in [1, 2] %}{% set n = n + 1 %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ n }} {{ ns.n }}"));
            assertEquals("inner", render("{% set v = 'outer' %}{% if true %}{% set v = 'inner' %}{% endif %}{{ v }}"),
                    "if does not open a scope");
            assertEquals("1", render("{% set messages = [1, 2] %}{{ messages[1:] | length }}"),
                    "a top-level set shadows an input");
            assertEquals("ab", render("{% set a, b = 'a', 'b' %}{{ a }}{{ b }}"));
        }

        @Test
        void macrosSetBlocksFilterBlocksWithRaw() {
            assertEquals("Hi Bob! Hi Al?", render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}"
                    + "{% endmacro %}{{ greet('Bob') }} {{ greet('Al', punct='?') }}"));
            assertEquals("a1|A1", render("{% set x %}a{{ 1 }}{% endset %}{{ x }}|{% filter upper %}{{ x }}{% endfilter %}"));
            assertEquals("3", render("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}"));
            assertEquals("{{ x }} {% if %}", render("{% raw %}{{ x }} {% if %}{% endraw %}"));
            assertEquals("body", render("{% generation %}body{% endgeneration %}"));
        }
    }

    @Nested
    class Whitespace {
        @ParameterizedTest(name = "{index}")
        @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
            // trailing newline of the source dropped, only one
            "`a\\n` => `a`",
            "`a\\n\\n` => `a\\n`",
            // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before it
            "`  {% if true %}\\n  x\\n  {% endif %}\\ny` => `  x\\ny`",
            // print tags are neither trimmed nor lstripped
            "`  {{ 'a' }}\\nb` => `  a\\nb`",
            // '-' strips all whitespace on its side, newlines included
            "`a  \\n {{- 'b' -}} \\n\\n c` => `abc`",
            "`a\\n  {%- if true -%}\\n  b\\n{%- endif %}\\nc` => `abc`",
            // comments follow the block rules
            "`a {# note #} b` => `a  b`",
            "`a\\n  {# note #}\\nb` => `a\\nb`",
            // '+' keeps what the settings would strip
            "`{% if true +%}\\nx{% endif %}` => `\\nx`",
            "`  {%+ if true %}x{% endif %}` => `  x`",
            // indentation is only stripped when the tag starts the line
            "`a  {% if true %}x{% endif %}` => `a  x`",
            // CR LF in the template source becomes LF
            "`a\\r\\nb\\rc` => `a\\nb\\nc`",
        })
        void control(String source, String expected) {
            assertEquals(unescape(expected), render(unescape(source)));
        }

        private static String unescape(String s) {
            return s.replace("\\r", "\r").replace("\\n", "\n");
        }
    }

    @Nested
    class Errors {
        @Test
        void syntaxErrorsNameTheLineAndTheProblem() {
            String m = error("ok\n{% if x %}never closed");
            assertTrue(m.contains("syntax error") && m.contains("endif"), m);
            assertTrue(error("{{ 1 + }}").contains("line 1"));
            assertTrue(error("a\nb\n{% frobnicate %}").contains("line 3: unknown tag 'frobnicate'"));
            assertTrue(error("{% endfor %}").contains("no open block"));
            assertTrue(error("{{ 'abc }}").contains("unterminated string"));
            assertTrue(error("{{ x ").contains("missing '}}'"));
            assertTrue(error("{% for x in y %}{% endif %}").contains("unexpected '{% endif %}', expected '{% else %}' or '{% endfor %}'"));
            assertTrue(error("{% break %}").contains("outside a for loop"));
            assertTrue(error("{% include 'x' %}").contains("not supported"));
            assertTrue(error("{{ (1 + 2 }}").contains("'(' is not closed"));
            assertTrue(error("{# never closed").contains("comment"));
        }

        @Test
        void runtimeErrorsAreClear() {
            assertEquals("the chat template rejected the conversation: Only user and assistant roles",
                    error("{{ raise_exception('Only user and assistant roles') }}"));
            assertTrue(error("{{ x + 1 }}").endsWith("'x' is undefined"));
            assertTrue(error("ok\n{{ 'a' + 1 }}").contains("line 2: can only concatenate str (not \"int\") to str"));
            assertTrue(error("{{ 1 + 'a' }}").contains("unsupported operand type(s) for +: 'int' and 'str'"));
            assertTrue(error("{{ 'a'.nomethod() }}").contains("'str object' has no attribute 'nomethod'"));
            assertTrue(error("{% set d = {} %}{{ d.missing.x }}").contains("'dict object' has no attribute 'missing'"));
            assertTrue(error("{{ [] | nofilter }}").contains("no filter named 'nofilter'"));
            assertTrue(error("{{ 1 is nosuchtest }}").contains("no test named 'nosuchtest'"));
            assertTrue(error("{% set ns = 1 %}{% set ns.a = 1 %}").contains("non-namespace"));
            assertTrue(error("{{ 1 // 0 }}").contains("division or modulo by zero"));
            assertTrue(error("{{ missing | tojson }}").contains("not JSON serializable"));
            assertTrue(error("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").contains("nested too deeply"));
            assertTrue(error("{% for x in none %}{% endfor %}").contains("not iterable"));
            assertTrue(error("{{ 'a' < 1 }}").contains("'<' not supported between instances of 'str' and 'int'"));
            assertTrue(error("{{ tools(1) }}").contains("'NoneType' object is not callable"));
            assertTrue(error("{{ 'a' in none }}").contains("argument of type 'NoneType' is not iterable"));
            assertTrue(error("{{ none | join }}").contains("'NoneType' object is not iterable"));
            assertTrue(error("{{ -none }}").contains("bad operand type for unary -: 'NoneType'"));
            assertEquals("the chat template rejected the conversation: two lines", error("{{ raise_exception('two\\nlines') }}"));
            assertTrue(error("{% set l = [] %}{{ l.append(1) }}").contains("unsafe"),
                    "templates cannot change their inputs");
        }
    }

    @Test
    void messagesCarryExtraFieldsAndNone() {
        ChatMessage call = new ChatMessage("assistant", null, Map.of("tool_calls",
                List.of(Map.of("function", Map.of("name", "f", "arguments", Map.of("x", 1))))));
        String out = ChatTemplate.parse("{% for m in messages %}{{ m.role }}:{{ m.content is none }}:"
                + "{{ m.tool_calls[0].function.name }}{{ m.tool_calls[0].function.arguments | tojson }}{% endfor %}")
                .render(List.of(call), true, Map.of());
        assertEquals("assistant:True:f{\"x\": 1}", out);
    }
}
