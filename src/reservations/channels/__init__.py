"""Channel sync: each room's calendar feed out (iCalendar), the channels' feeds in, as blocks."""
