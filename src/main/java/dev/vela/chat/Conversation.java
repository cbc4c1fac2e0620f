package dev.vela.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The messages of a chat: an optional system prompt, then user and assistant turns. A turn is a
 * user message and the replies that follow it; the oldest turns can be dropped when the context
 * is full, the system prompt stays.
 */
public final class Conversation {
    private String system;
    private final List<ChatMessage> turns = new ArrayList<>();

    /** Sets the system prompt; null or blank for none. */
    public void setSystem(String text) {
        system = text == null || text.isBlank() ? null : text;
    }

    /** The system prompt, or null. */
    public String system() {
        return system;
    }

    public void addUser(String text) {
        turns.add(ChatMessage.user(text));
    }

    public void addAssistant(String text) {
        turns.add(ChatMessage.assistant(text));
    }

    public void removeLast() {
        turns.removeLast();
    }

    /** Forgets every turn; the system prompt stays. */
    public void clear() {
        turns.clear();
    }

    /** Whether there is a turn before the last user message that {@link #dropOldestTurn} can drop. */
    public boolean hasOlderTurns() {
        return turns.stream().filter(m -> m.role().equals("user")).count() > 1;
    }

    /**
     * Drops the first user message and the replies up to the next user message, so the turns that
     * remain still alternate as templates expect; the last user message is never dropped.
     */
    public boolean dropOldestTurn() {
        if (!hasOlderTurns()) {
            return false;
        }
        int next = 1;
        while (!turns.get(next).role().equals("user")) {
            next++;
        }
        turns.subList(0, next).clear();
        return true;
    }

    /** The system prompt (if any) then the turns, as a template reads them. */
    public List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>(turns.size() + 1);
        if (system != null) {
            all.add(ChatMessage.system(system));
        }
        all.addAll(turns);
        return List.copyOf(all);
    }

    /** The number of messages, system prompt included. */
    public int size() {
        return turns.size() + (system == null ? 0 : 1);
    }
}
