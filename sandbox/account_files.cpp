// notes/<id>/files, files/<id>/download, filesv2 upload
#include <memory>

#include "model_api.hpp"
#include "sync/wire/form.hpp"

namespace smartq::sandbox {

namespace {

// A user's file name is never trusted: the quoted form gets a sanitised copy,
// filename* (RFC 6266) carries the exact bytes percent-encoded.
std::string content_disposition(const std::string& name) {
    std::string quoted;
    for (unsigned char c : name)
        quoted += (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '_' : c;
    return "attachment; filename=\"" + quoted + "\"; filename*=UTF-8''" + wire::url_encode(name);
}

ApiResponse download(const Model& model, const File& file) {
    ApiResponse response;
    response.content_type =
        file.content_type.empty() ? "application/octet-stream" : file.content_type;
    response.content_disposition = content_disposition(file.name);
    response.stream_size = file.size;
    // Copies: the download may outlive the row (a delete while streaming).
    response.read_at = [model = &model, copy = file](std::uint64_t offset, char* buf,
                                                     std::size_t len) {
        return model->read_body(copy, offset, buf, len);
    };
    return response;
}

// PHP keeps only the basename of an uploaded file's name; WireOptions::basename_uploads does too.
std::string upload_name(const Model& model, const std::string& sent) {
    if (!model.wire.basename_uploads)
        return sent;
    auto slash = sent.find_last_of("/\\");
    return slash == std::string::npos ? sent : sent.substr(slash + 1);
}

ApiResponse upload(Model& model, const ApiRequest& request, Note& note) {
    if (!request.upload)
        bad_request("A multipart part named 'file' is required");
    File file;
    file.note_id = note.id;
    file.ticket_id = note.ticket_id;
    file.owner_id = request.user_id;
    file.name = upload_name(model, request.upload->filename);
    file.content_type = request.upload->content_type.empty() ? "application/octet-stream"
                                                             : request.upload->content_type;
    file.size = request.upload->body.size();
    file.uploaded = std::make_shared<const std::string>(request.upload->body);
    file.insert_time = model.clock();
    File& created = model.files.insert(std::move(file));
    note.files.push_back(created.id);
    model.touch(*model.tickets.find(note.ticket_id));
    return object_answer(model, [&](Renderer& r) { r.file(created); });
}

}  // namespace

ApiResponse handle_files(Model& model, const ApiRequest& request, Note& note, const Path& rest) {
    if (rest.size() == 1 && rest[0] == "filesv2" && request.method == "POST")
        return upload(model, request, note);
    if (rest.empty() || rest[0] != "files")
        method_not_found(request);
    if (rest.size() == 1) {
        if (request.method == "GET")
            return list_answer(model, note.files, page_of(Query(request), 1000, model.wire),
                               [&](Renderer& r, Id id) { r.file(*model.files.find(id)); });
        method_not_found(request);
    }
    File* file = model.files.find(parse_id(rest[1], "file"));
    if (!file || file->note_id != note.id)
        not_found("file", rest[1]);
    if (rest.size() == 3 && rest[2] == "download" && request.method == "GET")
        return download(model, *file);
    if (rest.size() != 2)
        method_not_found(request);
    if (request.method == "GET")
        return object_answer(model, [&](Renderer& r) { r.file(*file); });
    if (request.method == "DELETE") {
        model.delete_file(file->id);
        return ok("true");
    }
    method_not_found(request);
}

}  // namespace smartq::sandbox
