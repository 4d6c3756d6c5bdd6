-- Running hotlined instances cache valid tokens (service/store/token_cache.c). Any change to
-- api_tokens, by the service or by hand, tells them to forget what they cached.
CREATE FUNCTION api_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hotline_tokens', '');
    RETURN NULL;
END $$;
CREATE TRIGGER api_tokens_changed AFTER UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_changed();
