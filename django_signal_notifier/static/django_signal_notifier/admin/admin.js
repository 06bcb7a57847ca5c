// django-signal-notifier's admin forms. Everything works without this script; it only hides what
// does not apply: the options of the messengers not chosen, the field suggestions of other models.
"use strict";
(function () {
  function showChosenMessengerOptions() {
    var select = document.getElementById("id_messenger");
    var groups = document.querySelectorAll("fieldset.dsn-messenger-options");
    if (!select || !groups.length) {
      return;
    }
    var update = function () {
      groups.forEach(function (group) {
        group.classList.toggle("dsn-hidden", !group.classList.contains("dsn-options-for-" + select.value));
      });
    };
    select.addEventListener("change", update);
    update();
  }

  function suggestFieldsOfSenderModel() {
    var builder = document.querySelector(".dsn-conditions");
    var sender = document.getElementById("id_action_object_content_type");
    if (!builder || !sender) {
      return;
    }
    var data = document.getElementById(builder.id + "-fields-by-model");
    var list = document.getElementById(builder.id + "-fields");
    var byModel = data ? JSON.parse(data.textContent) : {};
    sender.addEventListener("change", function () {
      list.replaceChildren();
      (byModel[sender.value] || []).forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showChosenMessengerOptions();
    suggestFieldsOfSenderModel();
  });
})();
