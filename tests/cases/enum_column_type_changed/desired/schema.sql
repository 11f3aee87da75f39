CREATE VIEW app.live_pages AS SELECT id FROM app.pages WHERE state = 'live';
