package dev.vela.chat;

import dev.vela.TestData;
import dev.vela.generate.Generator;
import dev.vela.model.Model;
import dev.vela.sampling.Sampler;
import dev.vela.sampling.SamplerConfig;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/** A greedy chat session on one of the shared test models, with a context of the size asked for. */
final class TinyChat implements AutoCloseable {
    final Model model;
    final Parallel pool;
    final Tokenizer tokenizer;
    final Generator generator;
    final ChatSession session;
    final List<String> notices = new ArrayList<>();
    final List<String> prompts = new ArrayList<>();

    TinyChat(String modelName, int context) {
        model = Model.load(TestData.model(modelName));
        pool = new Parallel(2);
        tokenizer = Tokenizer.from(model.file().metadata());
        generator = new Generator(model.newTransformer(pool, context),
                new Sampler(SamplerConfig.defaults().withTemperature(0), model.config().vocabSize()));
        ChatFormat format = ChatFormat.forModel(model.file().metadata(), tokenizer.vocabulary());
        session = new ChatSession(generator, tokenizer, format, () -> ChatTemplate.REFERENCE_NOW);
    }

    /** A listener that records notices and prompts, and stops after {@code stopAfter} pieces (negative: never). */
    ChatSession.Listener listener(int stopAfter) {
        int[] pieces = {0};
        return new ChatSession.Listener() {
            @Override
            public boolean text(String piece) {
                return stopAfter < 0 || ++pieces[0] < stopAfter;
            }

            @Override
            public void notice(String line) {
                notices.add(line);
            }

            @Override
            public void prompt(String text) {
                prompts.add(text);
            }
        };
    }

    ChatSession.Reply say(String message, int maxTokens) {
        return session.reply(message, maxTokens, listener(-1));
    }

    /** The prompt ids the session would feed for the conversation as it is now, plus a new user message. */
    int[] promptWith(String message) {
        Conversation c = session.conversation();
        List<ChatMessage> messages = new ArrayList<>(c.messages());
        messages.add(ChatMessage.user(message));
        return session.tokenize(session.format().render(messages, true, ChatTemplate.REFERENCE_NOW));
    }

    @Override
    public void close() {
        pool.close();
        model.close();
    }
}
