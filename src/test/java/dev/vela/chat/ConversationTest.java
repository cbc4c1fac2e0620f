package dev.vela.chat;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConversationTest {

    private static List<String> roles(Conversation c) {
        return c.messages().stream().map(m -> m.role() + ":" + m.content()).toList();
    }

    @Test
    void systemPromptComesFirstAndBlankMeansNone() {
        Conversation c = new Conversation();
        c.addUser("hi");
        c.setSystem("be brief");
        assertEquals(List.of("system:be brief", "user:hi"), roles(c));
        c.setSystem("  ");
        assertNull(c.system());
        assertEquals(List.of("user:hi"), roles(c));
    }

    @Test
    void dropsWholeTurnsOldestFirstKeepingTheSystemPromptAndTheLastMessage() {
        Conversation c = new Conversation();
        c.setSystem("sys");
        c.addUser("u1");
        c.addAssistant("a1");
        c.addUser("u2");
        c.addAssistant("a2");
        c.addUser("u3");
        assertTrue(c.dropOldestTurn());
        assertEquals(List.of("system:sys", "user:u2", "assistant:a2", "user:u3"), roles(c));
        assertTrue(c.dropOldestTurn());
        assertEquals(List.of("system:sys", "user:u3"), roles(c));
        assertFalse(c.hasOlderTurns());
        assertFalse(c.dropOldestTurn());
        assertEquals(2, c.size());
    }

    @Test
    void clearKeepsTheSystemPrompt() {
        Conversation c = new Conversation();
        c.setSystem("sys");
        c.addUser("u1");
        c.addAssistant("a1");
        c.clear();
        assertEquals(List.of("system:sys"), roles(c));
    }
}
