package dev.vela.chat;

import dev.vela.VelaException;
import dev.vela.generate.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat turns on the tiny test models: how many tokens each turn runs, context trimming, stopping. */
class ChatSessionTest {

    /**
     * Llama 3 and ChatML repeat an answer in the next prompt exactly as it was generated, so the
     * second turn processes only its new tokens: the end of the previous turn, the new message and
     * the opening of the answer; everything already in the cache is reused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama3vocab-f32.gguf", "tiny-qwen2vocab-q4_0.gguf"})
    void eachTurnProcessesOnlyItsNewTokens(String model) {
        try (TinyChat chat = new TinyChat(model, 512)) {
            chat.session.setSystem("You are terse.");
            int[] first = chat.promptWith("Hello!");
            ChatSession.Reply r1 = chat.say("Hello!", 8);
            assertEquals(first.length, r1.processedTokens());
            assertEquals(0, r1.reusedTokens());
            assertEquals(8, r1.generatedTokens());

            int cached = chat.session.contextUsed();
            assertEquals(first.length + 8, cached);
            int[] second = chat.promptWith("And then?");
            long before = chat.session.stats().promptTokens();
            ChatSession.Reply r2 = chat.say("And then?", 8);
            assertEquals(cached, r2.reusedTokens(), "the whole cache is reused");
            assertEquals(second.length - cached, r2.processedTokens());
            assertEquals(r2.processedTokens(), chat.session.stats().promptTokens() - before, "the generator ran only those");
            assertTrue(r2.processedTokens() < 20, "a few template tokens and the message: " + r2.processedTokens());
            assertEquals(4 + 1, chat.session.conversation().size());
        }
    }

    /**
     * A SentencePiece model's answer may come back from the template tokenized differently; the
     * turn then reprocesses from there on, never the earlier prompt.
     */
    @Test
    void aReTokenizedAnswerIsReprocessedButNotWhatCameBefore() {
        try (TinyChat chat = new TinyChat("stories260K.gguf", 512)) {
            int[] first = chat.promptWith("Hi");
            chat.say("Hi", 6);
            int[] second = chat.promptWith("More");
            ChatSession.Reply r2 = chat.say("More", 6);
            assertTrue(r2.reusedTokens() >= first.length, r2.toString());
            assertEquals(second.length, r2.reusedTokens() + r2.processedTokens());
        }
    }

    @Test
    void resetKeepsTheSystemPromptInTheCache() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 512)) {
            chat.session.setSystem("You are terse.");
            chat.say("Hello!", 4);
            chat.session.reset();
            assertEquals(1, chat.session.conversation().size());
            int[] prompt = chat.promptWith("Again");
            ChatSession.Reply r = chat.say("Again", 4);
            assertTrue(r.reusedTokens() > 5, "the system prompt's tokens: " + r.reusedTokens());
            assertEquals(prompt.length, r.reusedTokens() + r.processedTokens());
            assertTrue(chat.prompts.getLast().contains("You are terse.") && !chat.prompts.getLast().contains("Hello!"));
        }
    }

    @Test
    void aFullContextDropsTheOldestTurnsKeepsTheSystemPromptAndTellsOnce() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 96)) {
            chat.session.setSystem("You are terse.");
            for (int i = 0; i < 8; i++) {
                ChatSession.Reply r = chat.say("Message number " + i, 10);
                assertEquals(10, r.generatedTokens(), r.toString());
                assertTrue(chat.session.contextUsed() <= 96);
            }
            List<ChatMessage> messages = chat.session.conversation().messages();
            assertEquals("system", messages.getFirst().role());
            assertEquals("Message number 7", messages.get(messages.size() - 2).content());
            assertTrue(messages.stream().noneMatch(m -> "Message number 0".equals(m.content())), messages.toString());
            assertEquals(1, chat.notices.size(), chat.notices.toString());
            assertTrue(chat.notices.getFirst().contains("oldest turns are dropped"), chat.notices.getFirst());
            assertTrue(chat.prompts.getLast().contains("You are terse."));
        }
    }

    @Test
    void anAnswerThatFillsTheContextGoesOnInTheRoomOfDroppedTurns() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 64)) {
            chat.say("First message", 5);
            chat.say("Second message", 5);
            int room = 64 - chat.promptWith("Third").length;
            assertTrue(room > 64 / 4, "the prompt leaves room for a quarter of the context: " + room);
            ChatSession.Reply r = chat.say("Third", -1);
            assertTrue(r.generatedTokens() > room, "more than the room left without dropping (" + room + "): " + r);
            assertEquals(List.of("user", "assistant"), chat.session.conversation().messages().stream().map(ChatMessage::role).toList());
            assertTrue(chat.notices.getFirst().contains("oldest turns are dropped"), chat.notices.toString());
        }
    }

    @Test
    void anAnswerWithNoTurnLeftToDropIsCutAndSaysSo() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 40)) {
            ChatSession.Reply r = chat.say("Hello", -1);
            assertEquals(Generator.Stop.CONTEXT_FULL, r.stop());
            assertTrue(chat.notices.getLast().contains("the answer was cut"), chat.notices.toString());
            ChatSession.Reply next = chat.say("Go on", 4);
            assertEquals(4, next.generatedTokens(), "the chat goes on after dropping the full turn");
            assertEquals(List.of("user", "assistant"), chat.session.conversation().messages().stream().map(ChatMessage::role).toList().subList(0, 2));
        }
    }

    @Test
    void aMessageLargerThanTheContextIsRefusedAndForgotten() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 32)) {
            VelaException e = assertThrows(VelaException.class, () -> chat.say("word ".repeat(50), 4));
            assertTrue(e.getMessage().startsWith("the message does not fit"), e.getMessage());
            assertEquals(0, chat.session.conversation().size());
            assertEquals(4, chat.say("short", 4).generatedTokens());
        }
    }

    @Test
    void stoppingKeepsWhatWasShown() {
        try (TinyChat chat = new TinyChat("tiny-llama3vocab-f32.gguf", 256)) {
            int prompt = chat.promptWith("Hello").length;
            StringBuilder shown = new StringBuilder();
            ChatSession.Listener stopAtThree = chat.listener(3);
            ChatSession.Reply r = chat.session.reply("Hello", 50, piece -> {
                shown.append(piece);
                return stopAtThree.text(piece);
            });
            assertEquals(Generator.Stop.CANCELLED, r.stop());
            assertEquals(3, r.generatedTokens());
            assertEquals(shown.toString(), r.text());
            assertEquals(r.text(), chat.session.conversation().messages().getLast().content());
            assertEquals(prompt + 3, chat.session.contextUsed());
        }
    }
}
