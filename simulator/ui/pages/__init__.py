"""The app's pages, one module each. Every module has `build(ctx)`, which builds its tab
inside the app's `gr.Tabs()` and wires its events; its handlers are plain functions
`fn(ctx, user, *inputs) -> outputs` beside it (see simulator.ui.shared).

header      who is signed in, the language picker; loads the page in the user's language
practice    choose a customer, hold the call, see the scorecard, try again from a turn
history     a trainee's own calls and progress
studio      trainers: edit, check, test-drive and save personas
rubrics     trainers: edit and save rubrics
assignments trainers: assign personas to trainees or groups
sessions    supervisors: every session, filters, replay, CSV export, trends
readiness   supervisors: who is ready for live calls; override with a note
insights    supervisors: weak spots per criterion and customer temperament
"""
