/**
 * Chat prompts: {@link dev.vela.chat.ChatTemplate} renders a model's own Jinja2 chat template with
 * an interpreter written for Vela, and {@link dev.vela.chat.BuiltinTemplates} supplies a format
 * when the model has none.
 *
 * <p>The interpreter covers the Jinja2 that published chat templates use, with the settings of
 * Hugging Face transformers:
 * <ul>
 *   <li>tags {@code {{ }}}, {@code {% %}}, {@code {# #}}; {@code -} and {@code +} whitespace
 *       modifiers; {@code trim_blocks} and {@code lstrip_blocks}; one trailing newline of the
 *       source dropped; {@code raw} blocks;</li>
 *   <li>statements {@code if}/{@code elif}/{@code else}, {@code for} (with unpacking, an
 *       {@code if} filter, {@code else}, {@code loop.index}/{@code index0}/{@code revindex}/
 *       {@code revindex0}/{@code first}/{@code last}/{@code length}/{@code previtem}/
 *       {@code nextitem}/{@code cycle}), {@code break}/{@code continue}, {@code set} (also on
 *       {@code namespace} attributes and as a block), {@code macro}, {@code filter} blocks,
 *       {@code with}, and transformers' {@code generation} block;</li>
 *   <li>expressions: literals (string with Python escapes, int, float, bool, none, list, tuple,
 *       dict), {@code . [] [a:b:c] ()}, keyword arguments, {@code + - * / // % **},
 *       {@code ~}, comparisons (chained), {@code in}/{@code not in}, {@code and}/{@code or}/
 *       {@code not}, {@code x if c else y}, filters and tests with Jinja2's precedence;</li>
 *   <li>filters: trim, tojson (Python {@code json.dumps} as transformers calls it), length/count,
 *       items, join, list, string, bool, first, last, upper, lower, capitalize, title, replace,
 *       default/d, int, float, abs, round, reverse, sort, unique, sum, min, max, map, select,
 *       reject, selectattr, rejectattr, indent, safe, escape/e, attr, format, dictsort, batch,
 *       wordcount, center, truncate;</li>
 *   <li>tests: defined, undefined, none, string, number, integer, float, boolean, true, false,
 *       mapping, iterable, sequence, callable, odd, even, divisibleby, equalto/eq/==, ne, lt, le,
 *       gt, ge, in, sameas, lower, upper;</li>
 *   <li>str methods (strip, lstrip, rstrip, split, rsplit, startswith, endswith, replace, upper,
 *       lower, title, join, find, count, format, ...), dict methods (get, keys, values, items);</li>
 *   <li>globals: raise_exception, strftime_now (the moment the caller passes; by
 *       default a fixed date, 26 July 2024), namespace, range,
 *       dict.</li>
 * </ul>
 * Not supported: {@code include}/{@code extends}/{@code import}, {@code call} blocks, recursive
 * loops, {@code *args} in calls. Values follow Python: {@code True}/{@code None} print as such,
 * {@code ''} is false but not equal to {@code false}, lengths count code points, whitespace is
 * {@code str.isspace()}; an undefined value prints as nothing and fails in arithmetic.
 */
package dev.vela.chat;
