package dev.vela.chat;

import dev.vela.VelaException;
import dev.vela.generate.Generator;
import dev.vela.generate.Stats;
import dev.vela.tokenizer.Tokenizer;
import dev.vela.tokenizer.Vocabulary;

import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A conversation with a model, turn by turn, without a terminal. Each turn renders the whole
 * conversation with the chat format and feeds the generator only the tokens its cache does not
 * already hold (usually the new user message and the opening of the answer). When the context
 * fills up, the oldest turns are dropped and the system prompt is kept.
 */
public final class ChatSession {
    /** What the session reports while it answers. */
    public interface Listener {
        /** A piece of the answer, possibly empty; returns false to stop the answer (Ctrl-C). */
        boolean text(String piece);

        /** A line for the user: older turns dropped, an answer cut short. */
        default void notice(String line) {}

        /** The prompt text rendered for this turn, before it is processed. */
        default void prompt(String text) {}
    }

    /**
     * One answer.
     *
     * @param processedTokens prompt tokens run through the model for it (new ones only)
     * @param reusedTokens    prompt tokens that were already in the cache
     */
    public record Reply(String text, Generator.Stop stop, int processedTokens, int reusedTokens, int generatedTokens) {}

    private record Prompt(String text, int[] ids) {}

    private final Generator generator;
    private final Tokenizer tokenizer;
    private final ChatFormat format;
    private final Supplier<LocalDateTime> clock;
    private final Conversation conversation = new Conversation();
    private final CachedPrompt cache = new CachedPrompt();
    private boolean toldAboutDropping;

    /** @param clock the moment {@code strftime_now} formats: the real time in a chat, fixed in tests */
    public ChatSession(Generator generator, Tokenizer tokenizer, ChatFormat format, Supplier<LocalDateTime> clock) {
        this.generator = generator;
        this.tokenizer = tokenizer;
        this.format = format;
        this.clock = clock;
    }

    public ChatFormat format() {
        return format;
    }

    public Conversation conversation() {
        return conversation;
    }

    public void setSystem(String text) {
        conversation.setSystem(text);
    }

    /** Starts a new conversation with the same system prompt; the cache keeps what they share. */
    public void reset() {
        conversation.clear();
    }

    public int contextLength() {
        return generator.contextLength();
    }

    /** Tokens in the cache now. */
    public int contextUsed() {
        return generator.position();
    }

    public Stats stats() {
        return generator.stats();
    }

    /**
     * Adds a user message and generates the answer, streaming it to {@code listener}; the answer
     * (all of it that was shown, when stopped early) joins the conversation.
     *
     * @param maxTokens the most tokens the answer may have; negative for no limit but the context
     * @throws VelaException when the message does not fit in the context or the template rejects
     *                       the conversation; the message is then not kept
     */
    public Reply reply(String userText, int maxTokens, Listener listener) {
        conversation.addUser(userText);
        Prompt prompt;
        try {
            prompt = fit(reserve(maxTokens), listener);
            if (prompt.ids().length == 0) {
                throw new VelaException(format.origin() + " rendered an empty prompt for this conversation");
            }
            if (prompt.ids().length >= contextLength()) {
                throw new VelaException("the message does not fit: the prompt is " + prompt.ids().length
                        + " tokens and the context " + contextLength() + "; use a larger --context or a shorter message");
            }
        } catch (VelaException e) {
            conversation.removeLast();
            throw e;
        }
        listener.prompt(prompt.text());
        int processed = cache.feed(generator, prompt.ids());
        int reused = prompt.ids().length - processed;
        Answer answer = new Answer(tokenizer, listener);
        Generator.Stop stop;
        while (true) {
            stop = generate(answer, maxTokens < 0 ? -1 : maxTokens - answer.size());
            if (stop != Generator.Stop.CONTEXT_FULL) {
                break;
            }
            int more = continueInLessContext(answer, maxTokens, listener);
            if (more < 0) {
                listener.notice("[context full: the answer was cut after " + answer.size()
                        + " tokens; /reset starts a new conversation, a larger --context holds more]");
                break;
            }
            processed += more;
        }
        String text = answer.finish();
        conversation.addAssistant(text);
        return new Reply(text, stop, processed, reused, answer.size());
    }

    private Generator.Stop generate(Answer answer, int maxTokens) {
        int first = answer.size();
        int start = generator.position();
        Vocabulary vocabulary = tokenizer.vocabulary();
        Generator.Stop stop = generator.generate(maxTokens, vocabulary::isEndOfGeneration, answer);
        // The tokens that entered the cache are the first ones generated (not the last, when it is full).
        for (int i = 0; i < generator.position() - start; i++) {
            cache.append(answer.token(first + i));
        }
        return stop;
    }

    /**
     * An answer ran into the end of the context: drops older turns and feeds the shorter
     * conversation with the answer so far, so it can go on. Returns the tokens processed, or -1
     * when no turn is left to drop.
     */
    private int continueInLessContext(Answer answer, int maxTokens, Listener listener) {
        if (!conversation.hasOlderTurns()) {
            return -1;
        }
        int left = maxTokens < 0 ? -1 : maxTokens - answer.size();
        Prompt prompt = fit(answer.size() + Math.max(1, reserve(left)), listener);
        int[] ids = Arrays.copyOf(prompt.ids(), prompt.ids().length + answer.size());
        System.arraycopy(answer.tokens(), 0, ids, prompt.ids().length, answer.size());
        if (ids.length >= contextLength()) {
            return -1;
        }
        return cache.feed(generator, ids);
    }

    /** Room to leave for an answer: its limit, but at most half the context; a quarter without a limit. */
    private int reserve(int maxTokens) {
        return maxTokens >= 0 ? Math.min(maxTokens, contextLength() / 2) : contextLength() / 4;
    }

    /** The prompt for the conversation, oldest turns dropped until {@code room} tokens stay free (or none is left to drop). */
    private Prompt fit(int room, Listener listener) {
        while (true) {
            String text = format.render(conversation.messages(), true, clock.get());
            int[] ids = tokenize(text);
            if (ids.length + room <= contextLength() || !conversation.dropOldestTurn()) {
                return new Prompt(text, ids);
            }
            if (!toldAboutDropping) {
                toldAboutDropping = true;
                listener.notice("[the context is full: the oldest turns are dropped from now on; the system prompt is kept]");
            }
        }
    }

    /**
     * The ids of prompt text, special tokens parsed. BOS goes first when the model asks for it,
     * unless the template already wrote it (most do, as {@code bos_token}).
     */
    int[] tokenize(String text) {
        int[] ids = tokenizer.encode(text, false, true);
        Vocabulary v = tokenizer.vocabulary();
        if (v.addBos() && v.bos() != Vocabulary.NONE && (ids.length == 0 || ids[0] != v.bos())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = v.bos();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }
}
