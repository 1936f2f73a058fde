"""Story or not: `ficarchive.rescue.structure.classify.judge` on small hand-written texts.

Every fixture is invented for these tests (no archive text): prose stories in the past
and present tense, a first-person story, scripts in two layouts, and the things that
share old archives with stories: an episode review, an episode guide, a FAQ and a
technical note.
"""

from __future__ import annotations

import doctest

import pytest

from ficarchive.rescue.structure import classify
from ficarchive.rescue.structure.classify import judge, script_turns


def paras(text: str) -> list[str]:
    """Blank-line separated paragraphs, each as the pipeline hands them over."""
    return [p.strip().replace("\n", "<br>") for p in text.strip().split("\n\n")]


STORY = """
Mara set the lantern down on the workbench and looked at the broken clock. "It stopped
at midnight," she said. "Every night, the same minute."

Tomas shrugged and sat on the stool beside her. "Clocks do that when they are old."

"Not this one." She turned the key twice and listened. Nothing. Outside, the wind
pushed at the shutters, and somewhere below them the sea worked at the rocks the way it
always had.

He leaned closer. "Then we wait up and watch it," he said. "If it stops again, we will
know it is not the spring."

She smiled at that, though her hands were cold, and pulled the blanket over her knees.
They waited. The candle burned down by a finger's width, then another, and when the bell
across the bay began to ring twelve, the ticking stopped. Mara grabbed his sleeve.

"Did you hear that?" she whispered.
"""

# Present tense, curly quotes and inline HTML, as an HTML page hands them over.
PRESENT_TENSE = """
The rain starts before Jun reaches the station. She pulls her hood up and runs the last
block, her boots splashing through the gutters, and ducks under the awning just as the
<em>real</em> downpour arrives.

\u201cYou\u2019re late,\u201d Pell says. He is leaning against the ticket machine with
two paper cups, and he holds one out to her without looking up from his phone.

\u201cThe bus broke down.\u201d She takes the cup. It is too sweet, the way he always
makes it, and she drinks it anyway. \u201cDid they call?\u201d

\u201cTwice.\u201d He finally looks at her. His eyes are red, as if he has not slept.
\u201cThey want an answer by tonight, Jun. Yes or no.\u201d

She watches the water sheet off the roof of the shelter across the tracks. A train
comes in, doors sigh open, nobody gets off. \u201cThen tell them yes,\u201d she says,
and her voice sounds steadier than she feels.
"""

FIRST_PERSON = """
I knew the moment I opened the door that something was wrong. The kitchen light was on,
and my sister never left lights on; she had lectured me about it for twenty years.

"Hello?" I called. My voice sounded thin in the empty hall.

Nobody answered. I walked through to the kitchen and stood in the doorway. Her coat was
over the back of a chair, her keys were on the table, and a pot of soup had gone cold on
the stove. I touched it. Stone cold.

I took out my phone and stared at it for a long time before I rang her number. Somewhere
upstairs, faintly, I heard it ringing. I thought about running. Instead I went up the
stairs one at a time, counting them the way we had as children, and at the top I
stopped, because the ringing had stopped too.
"""

SCRIPT_CUES = """
INT. OBSERVATION DECK - NIGHT

Stars wheel past the long window. REYES stands alone. OKAFOR enters.

OKAFOR
You should be asleep, Captain.

REYES
So should you. What is it?

OKAFOR
The samples from the colony. I ran them three times. They are not a virus.

REYES
Then what are they?

DANIELS (V.O.)
Bridge to Captain Reyes. You need to see this.

REYES
On my way. Doctor, with me.

OKAFOR
I was afraid you would say that.

They head for the door. The stars outside slow, then stop.

DANIELS (V.O.)
Captain, are you seeing this? Something is holding us in place!

REYES
I see it. Do nothing until I get there.

DANIELS (V.O.)
Understood. Hurry, sir.
"""

SCRIPT_COLONS = """
The ready room. Reyes is reading; Okafor comes in with a padd.

Okafor: Captain, you asked for the casualty figures.
Reyes: How bad is it?
Okafor: Two broken arms and a sprained ego. Daniels tried to fix the lift himself.
Reyes: Of course he did. Is he all right?
Okafor: He will live. I am not sure the lift will.
Daniels [entering, arm in a sling]: I heard that! The lift was fine until I touched it.
Reyes: Mr Daniels, why are you not in sickbay?
Daniels: Sickbay is boring, sir. Can I go back on duty?
Okafor: No.
Reyes: You heard the doctor. Go and rest, and take the lift. Carefully.
Daniels: Yes, sir. [He leaves.]
Okafor: Do you think he will ever learn?
Reyes: I hope not. I would miss him.
"""

REVIEW = """
Well, that was a mixed bag. I liked a lot of this episode, but the last act fell apart
for me. Synopsis first, with spoilers, then the commentary.

Captain Reyes gets a distress call from a mining colony and decides to investigate. The
governor insists everything is fine, but Okafor finds traces of something odd in the
water supply. Reyes orders a quarantine, the governor refuses, and Daniels tries to slip
past the guards to find the source. He learns that the miners are hiding a crashed ship.

Now, on to the commentary. The plot was tight until the last ten minutes. I think the
writers simply ran out of time: the crashed ship is explained in one line and then
forgotten. The actors did fine work, though, and the director kept things moving. My
favorite scene was the argument in the mess hall :-) which gave the series regulars
something to do for once.

The numbers: Plot 7, plot handling 6, characterization 8. Overall 7 out of 10. Next
week is a repeat, so I will review the season so far instead.
"""

EPISODE_GUIDE = """
EPISODE GUIDE, SEASON ONE (revised 03/04/1995)

1. Long Night. First aired 12/09/1994. Written by J. Alder. Directed by K. Lee.
Stardate 4123.5. The colony goes dark; Reyes takes command.

2. Salt and Iron. First aired 19/09/1994. Written by M. Osei. Directed by K. Lee.
Stardate 4130.2. A trade dispute. Guest star: P. Huang.

3. The Quiet Hour. First aired 26/09/1994. Written by J. Alder. Directed by R. Patel.
Stardate 4141.8. Okafor is kidnapped.

4. Glass Houses. First aired 03/10/1994. Written by T. Brandt. Directed by R. Patel.
Stardate 4150.0. Daniels meets his father. Two-part story, concluded in 5.

5. Glass Houses, Part II. First aired 10/10/1994. Written by T. Brandt. Directed by
K. Lee. Stardate 4151.3. Resolution; season break.

6. Ninefold. First aired 09/01/1995. Written by M. Osei. Directed by S. Varga.
Stardate 4200.1. A probe with nine voices.
"""

FAQ = """
Q: What is this list?
A: Answers to the questions most often asked in this newsgroup. It is posted on the
1st and 15th of each month. Corrections are welcome by mail.

Q: Where can I find the episode schedule?
A: Schedules change by region. Check your local listings, or the schedule file in the
archive (see section 4 below for the address).

Q: Is there a list of the books?
A: Yes. The book list is posted separately; 212 titles as of version 3.1.

Q: Can I post spoilers here?
A: Only with a spoiler warning in the subject line and 20 blank lines before the text.

Q: Who answers these questions?
A: Volunteers. Send additions to the maintainer, and include your sources.
"""

TECHNICAL = """
The drive coil is a ring of 48 segments, each 2.5 m across. Power enters at segment 1
and is passed around the ring in a fixed order; the field strength depends on the phase
offset between neighbouring segments, which is normally 7.5 degrees.

At an offset of 0 degrees the segments cancel and no field forms. Above 15 degrees the
field becomes unstable and the safety cut-out trips within 0.2 seconds. Between these
limits the output rises roughly with the square of the offset, so a change from 5 to 10
degrees quadruples the available thrust.

Maintenance: each segment is rated for 4,000 hours. Replace segments in opposite pairs
(1 and 25, 2 and 26, and so on) to keep the ring balanced. See table 3 for tolerances.
"""

STORIES = {
    "past tense with dialogue": STORY,
    "present tense, curly quotes, HTML": PRESENT_TENSE,
    "first person": FIRST_PERSON,
    "script, names alone on a line": SCRIPT_CUES,
    "script, names with colons": SCRIPT_COLONS,
}
NOT_STORIES = {
    "episode review": REVIEW,
    "episode guide": EPISODE_GUIDE,
    "FAQ": FAQ,
    "technical note": TECHNICAL,
}


@pytest.mark.parametrize("text", STORIES.values(), ids=STORIES.keys())
def test_stories_are_stories(text: str) -> None:
    verdict = judge(None, None, paras(text))
    assert verdict.story, verdict.reason
    assert verdict.reason.startswith("reads as a story")


@pytest.mark.parametrize("text", NOT_STORIES.values(), ids=NOT_STORIES.keys())
def test_other_documents_are_not(text: str) -> None:
    verdict = judge(None, None, paras(text))
    assert not verdict.story, verdict.reason
    assert verdict.reason.startswith("not a story")


def test_hard_wrapped_lines_read_the_same_as_paragraphs() -> None:
    lines = [line for line in STORY.strip().split("\n") if line.strip()]
    assert judge(None, None, lines).story


def test_too_short_to_judge() -> None:
    verdict = judge("Untitled", None, ["Just a line or two.", "Nothing more."])
    assert not verdict.story
    assert "words of text" in verdict.reason


def test_title_counts_against_but_names_the_kind_only() -> None:
    story = paras(STORY)
    assert judge("Frequently Asked Questions", None, story).story  # the body wins
    assert classify.title_signal("The Episode Guide", None) == 1.0
    assert classify.title_signal("Guide to nowhere: a story", None) == 0.0
    assert classify.title_signal(None, "Re: FAQ") == 1.0
    assert classify.title_signal(None, None) == 0.0


def test_two_speaker_question_and_answer_is_not_a_script() -> None:
    assert script_turns(classify.body_text(paras(FAQ))) == []
    interview = "HOST: Welcome! How are you?\nGUEST: I am well, thank you.\n" * 10
    assert script_turns(interview) == []


def test_script_turns_cover_the_dialogue() -> None:
    text = classify.body_text(paras(SCRIPT_COLONS))
    turns = script_turns(text)
    speakers = {text[start:end].split(":")[0].split(" [")[0] for start, end in turns}
    assert len(turns) == 13
    assert speakers == {"Okafor", "Reyes", "Daniels"}


def test_huge_input_is_read_only_up_to_the_cap() -> None:
    paragraphs = paras(STORY) * 2000  # some 10 MB of HTML
    assert len(classify.body_text(paragraphs)) < classify.MAX_CHARS + 1000
    assert judge(None, None, paragraphs).story


def test_weights_are_round_and_complete() -> None:
    signals = classify.measure(classify.body_text(paras(STORY)), 200)
    assert set(classify.WEIGHTS) == {*signals, "title", "bias"}
    assert all(w * 4 == int(w * 4) for w in classify.WEIGHTS.values())


def test_doctests() -> None:
    assert doctest.testmod(classify).failed == 0
